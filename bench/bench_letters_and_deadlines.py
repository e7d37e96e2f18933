"""Rough figures for letter rendering and deadline arithmetic on this machine (not a test).

    .venv/bin/python -m bench.bench_letters_and_deadlines

How long it takes to render one letter in its three forms (HTML, text, .docx), and to
count a 10-school-day deadline and a six-month review date on a real school calendar.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from casework.term_dates import load_term_dates
from rules.calendar import Region, SchoolCalendar
from templates import LetterRenderer, LetterTemplates
from templates.examples import example_letters

TERMS = Path(__file__).resolve().parents[1] / "config" / "terms" / "oakfield.yaml"


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    started = time.perf_counter()
    renderer = LetterRenderer(LetterTemplates.load(None))
    print(f"load and check the letter templates: {(time.perf_counter() - started) * 1000:.0f} ms")

    letters = list(example_letters().values())
    per_letter = timed(lambda: [renderer.render(data) for data in letters], 5)
    median = statistics.median(per_letter) / len(letters) * 1000
    print(
        f"render one letter as HTML, text and .docx: median {median:.1f} ms "
        f"({len(letters)} variants, 5 rounds)"
    )

    calendar = SchoolCalendar(Region.ENGLAND, load_term_dates(TERMS, region=Region.ENGLAND))
    starts = [date(2025, 9, 1) + timedelta(days=n) for n in range(300)]
    calendar.school_days_after(starts[0], 10)  # builds the calendar's caches once
    ten_days = timed(lambda: [calendar.school_days_after(d, 10) for d in starts], 20)
    six_months = timed(lambda: [calendar.months_after(d, 6) for d in starts[:150]], 20)
    print(
        f"10 school days after a date: median "
        f"{statistics.median(ten_days) / len(starts) * 1e6:.1f} µs"
    )
    print(
        f"six months after a date, moved to a school day: median "
        f"{statistics.median(six_months) / 150 * 1e6:.1f} µs"
    )


if __name__ == "__main__":
    main()
