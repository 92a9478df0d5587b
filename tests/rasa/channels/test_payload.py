"""Reading signed bodies: a wrong shape is Malformed, named by its path and never by its value."""

import pytest

from bot.rasa.channels.payload import Fields, Malformed, form_fields, json_fields


def test_a_reason_names_the_path_never_the_value():
    body = json_fields(b'{"entry": [{"messaging": ["my incision is leaking"]}]}')
    with pytest.raises(Malformed) as problem:
        body.objects("entry")[0].objects("messaging")
    assert str(problem.value) == "entry[0].messaging[0] is not a JSON object"


@pytest.mark.parametrize("value", [True, 1.0, "1", [1], {"id": 1}])
def test_only_an_integer_is_an_integer(value):
    with pytest.raises(Malformed, match="^update_id is not an integer$"):
        Fields({"update_id": value}).get("update_id", int)


def test_null_is_absent():
    fields = Fields({"text": None})
    assert fields.get("text", str) is None and not fields.object("text")
    with pytest.raises(Malformed, match="^text is missing$"):
        fields.need("text", str)


@pytest.mark.parametrize("raw", [b"", b"\xff{}", b"{'a': 1}", b"[" * 100_000 + b"]" * 100_000])
def test_what_python_cannot_read_as_json_is_malformed(raw):
    with pytest.raises(Malformed, match="^the body is not JSON$"):
        json_fields(raw)


def test_a_form_keeps_its_blank_fields_and_must_be_utf8():
    assert form_fields(b"Body=&From=%2B14155550123") == {"Body": "", "From": "+14155550123"}
    with pytest.raises(Malformed, match="not a UTF-8 form"):
        form_fields(b"Body=\xff")
