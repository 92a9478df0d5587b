"""Bodies a channel must refuse with 400 once they are signed (Hypothesis strategies): bytes that
are not JSON, JSON that is not an object, form bodies, and the provider's own payload with one of
the fields the channel reads (at any level) turned into another JSON type."""

from __future__ import annotations

import json
from typing import Any, Dict, Sequence, Tuple, Union
from urllib.parse import urlencode

from hypothesis import strategies as st

Path = Tuple[Union[str, int], ...]  # keys and list indexes from the top of a payload

SCALARS = st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
VALUES = st.recursive(  # any JSON value but null (a null field counts as absent)
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)


def parses(raw: Union[bytes, str]) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


NOT_JSON = st.binary(max_size=40).filter(lambda raw: not parses(raw))
NOT_JSON_TEXT = st.text(max_size=40).filter(lambda text: not parses(text))
JSON_BUT_NOT_AN_OBJECT = (st.none() | SCALARS | st.lists(VALUES, max_size=3)).map(json.dumps)
FORMS = st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=4).map(urlencode)


def at(payload: Any, path: Path) -> Any:
    for step in path:
        payload = payload[step]
    return payload


def with_value(payload: Any, path: Path, value: Any) -> Any:
    """A copy of the payload with the value at `path` replaced."""
    if not path:
        return value
    copy = list(payload) if isinstance(payload, list) else dict(payload)
    copy[path[0]] = with_value(payload[path[0]], path[1:], value)
    return copy


def wrong_typed(payload: Dict[str, Any], paths: Sequence[Path]) -> st.SearchStrategy[str]:
    """The payload (as JSON) with the field at one of the paths turned into a value of another type."""

    def replaced(path: Path) -> st.SearchStrategy[str]:
        kind = type(at(payload, path))
        return VALUES.filter(lambda value: type(value) is not kind).map(
            lambda value: json.dumps(with_value(payload, path, value))
        )

    return st.sampled_from(paths).flatmap(replaced)


def json_texts(payload: Dict[str, Any], paths: Sequence[Path]) -> st.SearchStrategy[str]:
    """Texts a JSON webhook must refuse, `payload` being one it accepts."""
    return NOT_JSON_TEXT | JSON_BUT_NOT_AN_OBJECT | FORMS | wrong_typed(payload, paths)


def json_bodies(payload: Dict[str, Any], paths: Sequence[Path]) -> st.SearchStrategy[bytes]:
    """Bodies a JSON webhook must refuse: those texts, and bytes that are not even UTF-8 text."""
    return NOT_JSON | json_texts(payload, paths).map(str.encode)
