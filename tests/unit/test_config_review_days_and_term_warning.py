"""The trust configuration's settings for issue 9: a school's academic review days (the
annual progress meeting under a ban is held on the next one) and the number of school days
of term dates below which `/readyz` and the start-up log warn (60 unless set)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from casework.config import load_trust_config
from tests.unit.test_config import EXAMPLE, example_document, problems_of, write


def test_academic_review_days_are_read_in_order() -> None:
    config = load_trust_config(EXAMPLE / "trust.yaml")
    days = config.school("oakfield").academic_review_days
    assert days[0] == date(2026, 3, 5)
    assert list(days) == sorted(days)
    assert config.school("riverside").academic_review_days == ()  # none: 12 months
    assert config.trust.term_dates_warning_school_days == 60  # the default


def test_the_term_dates_warning_threshold_can_be_set(tmp_path: Path) -> None:
    document = example_document()
    document["trust"]["term_dates_warning_school_days"] = 90
    config = load_trust_config(write(tmp_path, document))
    assert config.trust.term_dates_warning_school_days == 90


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        (
            ("trust", "term_dates_warning_school_days"),
            0,
            "trust.term_dates_warning_school_days must be a whole number of school days from "
            "1 to 400, not 0",
        ),
        (
            ("trust", "term_dates_warning_school_days"),
            "sixty",
            "trust.term_dates_warning_school_days must be a whole number of school days from "
            "1 to 400, not 'sixty'",
        ),
        (
            ("schools", 0, "academic_review_days"),
            [date(2026, 7, 9), date(2026, 3, 5)],
            "schools[0].academic_review_days[1] must come after 2026-07-09: list them in order",
        ),
        (
            ("schools", 0, "academic_review_days"),
            ["soon"],
            "schools[0].academic_review_days[0] must be a date like 2026-10-15, not 'soon'",
        ),
    ],
)
def test_a_wrong_setting_is_named(
    tmp_path: Path, where: tuple[object, ...], value: object, expected: str
) -> None:
    document = example_document()
    target = document
    for key in where[:-1]:
        target = target[key]  # type: ignore[index]
    target[where[-1]] = value  # type: ignore[index]
    assert problems_of(write(tmp_path, document)) == (expected,)
