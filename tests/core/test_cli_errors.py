"""Refusals on the command line: one line "error: …" on stderr and exit status 1; argument errors exit 2."""

import pytest
from django.core.exceptions import ValidationError

from yuanmeng.core.cli import in_one_line
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.manage import main


def _refuse(exc):
    def execute(*args, **options):
        raise exc
    return in_one_line(execute)


def _status(run) -> int:
    with pytest.raises(SystemExit) as exited:
        run()
    return exited.value.code


@pytest.mark.parametrize(("exc", "line"), [
    (ValidationError({"budget": ["The budget has only 10.00 yuan available."], "quota": ["Too many."]}),
     "error: budget: The budget has only 10.00 yuan available.; quota: Too many.\n"),
    (ValidationError(["first", "second\nline"]), "error: first second line\n"),
    (PermissionDenied("Your role does not allow this."), "error: Your role does not allow this.\n"),
])
def test_a_refusal_is_one_line_and_status_1(exc, line, capsys):
    assert _status(_refuse(exc)) == 1
    assert capsys.readouterr().err == line


def test_traceback_shows_the_whole_exception():
    with pytest.raises(ValidationError):
        _refuse(ValidationError("no"))(traceback=True)


@pytest.mark.django_db
def test_the_console_script_answers_one_line(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["yuanmeng", "payout", "plan", "--policy", "NOPE", "--budget", "100"])
    assert _status(main) == 1
    assert capsys.readouterr().err == "error: no policy with code NOPE\n"


def test_argument_errors_keep_status_2(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["yuanmeng", "payout", "plan", "--policy", "NOPE"])
    assert _status(main) == 2
    assert "the following arguments are required: --budget" in capsys.readouterr().err
