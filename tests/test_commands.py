"""The command-line tools' shared runner: what it prints, where, and the exit status."""

from bot.commands import run_command


def test_what_the_command_did_goes_to_stdout(capsys):
    assert run_command("purge", lambda: "removed 2 conversation(s)", ValueError) == 0
    assert capsys.readouterr() == ("purge: removed 2 conversation(s)\n", "")


def test_a_mistake_goes_to_stderr_with_the_hint(capsys):
    def bad() -> str:
        raise ValueError("DAYS must be a number of days")

    assert run_command("purge", bad, ValueError, ". usage: make purge DAYS=30") == 2
    assert capsys.readouterr() == ("", "purge: DAYS must be a number of days. usage: make purge DAYS=30\n")
