"""Reading a provider's signed body, which may still be anything: a body that is not the payload
the provider sends raises Malformed, which the webhook answers with 400 and the reason. A reason
names the field (`event.text is not a string`), never a value, so no patient text is echoed or logged.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Type, TypeVar, Union
from urllib.parse import parse_qs

T = TypeVar("T")
KINDS = {str: "a string", int: "an integer", bool: "true or false", dict: "an object", list: "a list"}


class Malformed(ValueError):
    """A signed body that is not the provider's payload; the message says which part is wrong."""


class Fields:
    """A JSON object of a payload, read field by field by its path (`entry[0].messaging`)."""

    def __init__(self, value: Any, path: str = "") -> None:
        if not isinstance(value, dict):
            raise Malformed(f"{path or 'the body'} is not a JSON object")
        self.value, self.path = value, path

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: Type[T]) -> Optional[T]:
        """The field, None if it is absent or null; Malformed if it is of another kind."""
        value = self.value.get(key)
        wrong = not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)  # true is no number
        if value is not None and wrong:
            raise Malformed(f"{self._name(key)} is not {KINDS[kind]}")
        return value

    def need(self, key: str, kind: Type[T]) -> T:
        """The field; Malformed if it is absent, null or of another kind."""
        value = self.get(key, kind)
        if value is None:
            raise Malformed(f"{self._name(key)} is missing")
        return value

    def __bool__(self) -> bool:
        return bool(self.value)

    def object(self, key: str) -> Fields:
        """The field's object, empty (false) if it is absent or null."""
        return Fields(self.get(key, dict) or {}, self._name(key))

    def need_object(self, key: str) -> Fields:
        return Fields(self.need(key, dict), self._name(key))

    def objects(self, key: str) -> List[Fields]:
        """The objects of the field's list (none if it is absent or null)."""
        return [Fields(item, f"{self._name(key)}[{i}]") for i, item in enumerate(self.get(key, list) or [])]


def json_fields(raw: Union[bytes, str], path: str = "") -> Fields:
    """The JSON object `raw` holds."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested deeper than Python parses
        raise Malformed(f"{path or 'the body'} is not JSON") from None
    return Fields(value, path)


def form_fields(raw: bytes) -> Dict[str, str]:
    """The fields of a form body, blank ones included (Sanic's request.form drops them)."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise Malformed("the body is not a UTF-8 form") from None
    return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}
