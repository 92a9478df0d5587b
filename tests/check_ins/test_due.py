"""`make check-ins-due` (bot/check_ins/due.py): NOW read as ISO time, a clear error when no Rasa server takes it."""

import pytest

from bot.check_ins import due


@pytest.mark.parametrize(
    "given, read",
    [
        ("2026-01-13T01:00:00Z", "2026-01-13T01:00:00+00:00"),
        ("2026-01-12T17:00:00-08:00", "2026-01-12T17:00:00-08:00"),
        ("2026-01-13T01:00", "2026-01-13T01:00:00+00:00"),
    ],
)
def test_now_is_an_iso_time_utc_unless_it_says(given, read):
    assert due.moment(given) == read


def test_a_bad_now_and_no_server_are_explained(monkeypatch, capsys):
    assert due.main(["next tuesday"]) == 1
    assert "NOW='next tuesday' is not an ISO time: write e.g. NOW=2026-01-13T01:00:00+00:00" in capsys.readouterr().err
    monkeypatch.setenv("RASA_REPLICA_URLS", "http://127.0.0.1:9")
    assert due.main(["2026-01-13T01:00:00Z"]) == 1
    assert (
        "no Rasa server sent the check-ins (http://127.0.0.1:9: ConnectionError); start one" in capsys.readouterr().err
    )
