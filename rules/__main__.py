"""Deadline arithmetic from the command line, for administrators checking a school's dates.

    python -m rules deadline --terms oakfield.yaml --from 2026-05-01 --school-days 10
    python -m rules deadline --region scotland --from 2026-05-01 --months 6

Prints the date (YYYY-MM-DD) on stdout; any warning goes to stderr. Bad input exits with
status 2 and a message on stderr. See docs/school-days.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from casework.term_dates import load_term_dates
from rules.calendar import Region, SchoolCalendar, parse_region
from rules.errors import CalendarError

USAGE_ERROR = 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written as YYYY-MM-DD") from None


def _region(text: str) -> Region:
    try:
        return parse_region(text)
    except CalendarError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is less than {minimum}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rules", description="The policy's deadline arithmetic."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    deadline = commands.add_parser(
        "deadline",
        help="count school days or months from a date",
        description="Print the deadline as YYYY-MM-DD. Without --terms, counts working days "
        "and warns on stderr.",
    )
    deadline.add_argument(
        "--terms", type=Path, metavar="FILE", help="the school's term dates (.yaml or .ics)"
    )
    deadline.add_argument(
        "--region",
        type=_region,
        metavar="REGION",
        help="england, wales, scotland or northern-ireland (needed with an .ics file "
        "or without --terms)",
    )
    deadline.add_argument(
        "--from", dest="start", type=_iso_date, required=True, metavar="YYYY-MM-DD"
    )
    count = deadline.add_mutually_exclusive_group(required=True)
    count.add_argument(
        "--school-days", type=_count(1), metavar="N", help="the Nth school day after the date"
    )
    count.add_argument(
        "--months", type=_count(0), metavar="N", help="N months on, moved to a school day"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed its message to stderr
        return stop.code if isinstance(stop.code, int) else USAGE_ERROR
    try:
        due = _deadline(args)
    except CalendarError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return USAGE_ERROR
    print(due.isoformat())
    return 0


def _deadline(args: argparse.Namespace) -> date:
    region: Region | None = args.region
    if args.terms is None:
        if region is None:
            raise CalendarError("give --terms FILE (the school's term dates) or --region.")
        calendar = SchoolCalendar(region, None)
    else:
        term_dates = load_term_dates(args.terms, region=region)
        calendar = SchoolCalendar(term_dates.region, term_dates)
    if args.school_days is not None:
        deadline = calendar.school_days_after(args.start, args.school_days)
    else:
        deadline = calendar.months_after(args.start, args.months)
    if deadline.warning:
        print(f"warning: {deadline.warning}", file=sys.stderr)
    return deadline.due


if __name__ == "__main__":
    raise SystemExit(main())
