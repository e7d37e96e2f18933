"""`python -m rules deadline`: the date on stdout, warnings and errors on stderr, exit 2 on
bad input and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rules.__main__ import main
from rules.calendar import NO_TERM_DATES_WARNING

ROOT = Path(__file__).resolve().parents[2]
TERMS = ROOT / "tests" / "data" / "terms"
YAML = str(TERMS / "england-2025-27.yaml")
ICS = str(TERMS / "england-2025-27.ics")


def program(*args: str) -> list[str]:
    return [sys.executable, "-m", "rules", "deadline", *args]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_as_a_program_it_prints_the_date_alone() -> None:
    # Fri 17 Oct 2025 + 10 school days, over the half term: Fri 7 Nov 2025 (see test_calendar).
    result = subprocess.run(
        program("--terms", YAML, "--from", "2025-10-17", "--school-days", "10"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "2025-11-07\n", "")


def test_as_a_program_bad_input_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "school.yaml"
    bad.write_text("region: england\nterms:\n  - {start: 2026-10-23, end: 2026-09-03}\n")
    result = subprocess.run(
        program("--terms", str(bad), "--from", "2026-09-10", "--months", "6"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "school.yaml line 3" in result.stderr
    assert "before it starts" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "due"),
    [
        # 2 Feb 2026 + 6 months = Sun 2 Aug 2026, summer holiday: Thu 3 Sep 2026.
        (["--terms", YAML, "--from", "2026-02-02", "--months", "6"], "2026-09-03"),
        # The same from the iCalendar file (which needs the region).
        (
            ["--terms", ICS, "--region", "england", "--from", "2026-02-02", "--months", "6"],
            "2026-09-03",
        ),
        # Mon 23 Mar 2026 + 10 school days over Easter: Mon 20 Apr 2026.
        (
            ["--terms", ICS, "--region", "England", "--from", "2026-03-23", "--school-days", "10"],
            "2026-04-20",
        ),
    ],
)
def test_with_term_dates(argv: list[str], due: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["deadline", *argv], capsys) == (0, f"{due}\n", "")


def test_without_term_dates_counts_working_days_and_warns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # From Wed 31 Dec 2025: Fri 2 Jan 2026 is a bank holiday in Scotland only: Mon 5 Jan.
    argv = ["deadline", "--region", "scotland", "--from", "2025-12-31", "--school-days", "1"]
    code, out, err = run(argv, capsys)
    assert (code, out) == (0, "2026-01-05\n")
    assert NO_TERM_DATES_WARNING in err


def test_past_the_last_term_it_says_what_to_add(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["deadline", "--terms", YAML, "--from", "2027-07-15", "--school-days", "10"]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert "Wednesday 21 July 2027" in err
    assert "next school year" in err


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (
            ["--region", "wessex", "--from", "2026-01-05", "--months", "6"],
            "Unknown region 'wessex'",
        ),
        (
            ["--region", "wales", "--from", "2026-02-30", "--months", "6"],
            "'2026-02-30' is not a date",
        ),
        (["--region", "wales", "--from", "5/1/2026", "--months", "6"], "is not a date"),
        (
            ["--region", "wales", "--from", "2026-01-05"],
            "one of the arguments --school-days --months is required",
        ),
        (
            ["--region", "wales", "--from", "2026-01-05", "--months", "6", "--school-days", "10"],
            "not allowed with",
        ),
        (["--region", "wales", "--from", "2026-01-05", "--school-days", "0"], "0 is less than 1"),
        (
            ["--region", "wales", "--from", "2026-01-05", "--months", "six"],
            "'six' is not a whole number",
        ),
        (["--from", "2026-01-05", "--months", "6"], "give --terms FILE"),
        (
            ["--terms", ICS, "--from", "2026-01-05", "--months", "6"],
            "does not say which part of the UK",
        ),
        (
            ["--terms", YAML, "--region", "wales", "--from", "2026-01-05", "--months", "6"],
            "for england, but the school is in wales",
        ),
        (
            ["--terms", "no-such-file.yaml", "--from", "2026-01-05", "--months", "6"],
            "no-such-file.yaml: cannot read",
        ),
        (
            ["--terms", "README.md", "--from", "2026-01-05", "--months", "6"],
            "must be a .yaml, .yml or .ics file",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_problem(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["deadline", *argv], capsys)
    assert (code, out) == (2, "")
    assert problem in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "region: england\nterms:\n  - {start: 2026-09-03, end: 2026-10-23}\n"
            "  - {start: 2026-10-20, end: 2026-12-18}\n",
            "overlaps",
        ),
        ("region: england\nterms: [\n", "school.yaml line 3"),
        ("region: narnia\nterms: []\n", "school.yaml line 1: Unknown region 'narnia'"),
    ],
)
def test_bad_term_files_exit_2(
    content: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "school.yaml"
    path.write_text(content)
    argv = ["deadline", "--terms", str(path), "--from", "2026-09-10", "--school-days", "10"]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert problem in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["deadline", "--help"], capsys)
    assert code == 0
    assert "--school-days" in out
