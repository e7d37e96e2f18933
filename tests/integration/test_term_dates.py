"""Loading term dates from the files trusts have: YAML, and the iCalendar files schools
publish. Bad files are refused with the file's name and the problem (and a line for YAML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from casework.term_dates import load_term_dates, parse_term_dates_ics, parse_term_dates_yaml
from rules.calendar import Region, SchoolCalendar, Term, TermDates
from rules.errors import CalendarError

D = date.fromisoformat
TERMS = Path(__file__).resolve().parents[1] / "data" / "terms"

# What tests/data/terms/england-2025-27.{yaml,ics} say, written out by hand.
EXPECTED = TermDates(
    region=Region.ENGLAND,
    terms=tuple(
        Term(D(start), D(end))
        for start, end in [
            ("2025-09-03", "2025-10-24"),
            ("2025-11-03", "2025-12-19"),
            ("2026-01-05", "2026-02-13"),
            ("2026-02-23", "2026-03-27"),
            ("2026-04-13", "2026-05-22"),
            ("2026-06-01", "2026-07-22"),
            ("2026-09-03", "2026-10-23"),
            ("2026-11-02", "2026-12-18"),
            ("2027-01-05", "2027-02-12"),
            ("2027-02-22", "2027-03-26"),
            ("2027-04-12", "2027-05-28"),
            ("2027-06-07", "2027-07-21"),
        ]
    ),
    closures=frozenset({D("2026-01-05"), D("2026-06-01"), D("2026-11-27"), D("2027-06-07")}),
)


# --- the sample files ---------------------------------------------------------------------


def test_the_yaml_sample_loads() -> None:
    assert load_term_dates(TERMS / "england-2025-27.yaml") == EXPECTED
    assert load_term_dates(TERMS / "england-2025-27.yaml", region=Region.ENGLAND) == EXPECTED


def test_the_ics_sample_gives_the_same_term_dates_as_the_yaml() -> None:
    # Terms spanning each term, half terms and holidays as events, INSET days (two of them
    # before term starts, so left out), bank holidays, a cancelled INSET day, timed events.
    assert load_term_dates(TERMS / "england-2025-27.ics", region=Region.ENGLAND) == EXPECTED


def test_the_marker_style_ics_gives_the_same_school_days() -> None:
    # "Term starts" / "Break up" / "Pupils return" markers instead of spanning events. The
    # staff start a day early (an INSET day), so the terms differ a little, the school days
    # not at all.
    markers = load_term_dates(TERMS / "markers-2026-27.ics", region=Region.ENGLAND)
    assert markers.terms[0] == Term(D("2026-09-02"), D("2026-10-23"))
    assert markers.closures == {D("2026-09-02"), D("2026-11-27")}
    sample = SchoolCalendar(Region.ENGLAND, EXPECTED)
    from_markers = SchoolCalendar(Region.ENGLAND, markers)
    day = markers.first_day
    while day <= markers.last_day:
        assert from_markers.is_school_day(day) == sample.is_school_day(day), day
        day = date.fromordinal(day.toordinal() + 1)


# --- YAML ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "school.yaml: the file is empty"),
        ("region: england\nterms: [\n", "school.yaml line 3"),
        ("region: england\n  terms: []\n", "school.yaml line 2"),
        ("- 2026-09-03\n", "school.yaml line 1: the file should be a set of 'key: value'"),
        ("terms:\n  - {start: 2026-09-03, end: 2026-10-23}\n", "say which part of the UK"),
        ("region: wessex\nterms: []\n", "school.yaml line 1: Unknown region 'wessex'"),
        ("region: [england]\nterms: []\n", "school.yaml line 1: region should be a single value"),
        ("region: england\n", "school.yaml: the file has no 'terms' list"),
        ("region: england\nterms: []\n", "school.yaml: The term dates contain no terms"),
        ("region: england\nterms: 2026-09-03\n", "school.yaml line 2: terms should be a list"),
        (
            "region: england\nterm:\n  - {start: 2026-09-03, end: 2026-10-23}\n",
            "school.yaml line 2: unknown key 'term' in the file",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03, finish: 2026-10-23}\n",
            "school.yaml line 3: unknown key 'finish' in a term",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03}\n",
            "school.yaml line 3: the term has no end date",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03, end: 2026-02-30}\n",
            "school.yaml line 3: the term's end '2026-02-30' is not a date written as YYYY-MM-DD",
        ),
        (
            "region: england\nterms:\n  - {start: 3/9/2026, end: 2026-10-23}\n",
            "school.yaml line 3: the term's start '3/9/2026' is not a date",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03, end: 2026-10-23}\n"
            "  - start: 2026-11-02\n    end: 2026-10-18\n",
            "school.yaml line 4: The term starting 2026-11-02 ends on 2026-10-18, before it starts",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03, end: 2026-10-23}\n"
            "  - {start: 2026-10-19, end: 2026-12-18}\n",
            "school.yaml: The term 2026-09-03 to 2026-10-23 overlaps the term 2026-10-19",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03, end: 2026-10-23}\n"
            "closures: [2026-10-28]\n",
            "school.yaml: The closure on 2026-10-28 is not inside any term",
        ),
        (
            "region: england\nterms:\n  - {start: 2026-09-03, end: 2026-10-23}\n"
            "closures:\n  - 2026-09-31\n",
            "school.yaml line 5: a closure '2026-09-31' is not a date",
        ),
        (
            "region: england\nregion: wales\nterms: []\n",
            "school.yaml line 2: 'region' is given twice",
        ),
    ],
)
def test_bad_yaml_is_refused_naming_the_file_and_problem(text: str, problem: str) -> None:
    with pytest.raises(CalendarError) as raised:
        parse_term_dates_yaml(text, "school.yaml")
    assert problem in raised.value.message


def test_yaml_region_can_come_from_the_caller_but_must_agree() -> None:
    text = "terms:\n  - {start: 2026-09-03, end: 2026-10-23}\nclosures:\n"
    assert parse_term_dates_yaml(text, "s.yaml", region=Region.WALES).region is Region.WALES
    with pytest.raises(CalendarError, match="for scotland, but the school is in wales"):
        parse_term_dates_yaml("region: Scotland\n" + text, "s.yaml", region=Region.WALES)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "school.yml"
    path.write_bytes(b"region: england\nterms: []  # \xff\n")
    with pytest.raises(CalendarError, match=r"school\.yml: the file is not UTF-8 text"):
        load_term_dates(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match=r"absent\.yaml: cannot read the file"):
        load_term_dates(tmp_path / "absent.yaml")


def test_other_file_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text("2026-09-03,2026-10-23\n")
    with pytest.raises(CalendarError, match=r"terms.csv: term dates must be a \.yaml"):
        load_term_dates(path)


# --- iCalendar ----------------------------------------------------------------------------


def ics(*events: str) -> bytes:
    """A calendar of VEVENTs, each given as its property lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Safe Premises tests//EN"]
    for number, event in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:{number}@example.org", "DTSTAMP:20260101T000000Z"]
        lines += event.strip().splitlines()
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def all_day(summary: str, first: str, after_last: str | None = None) -> str:
    end = f"\nDTEND;VALUE=DATE:{after_last}" if after_last else ""
    return f"SUMMARY:{summary}\nDTSTART;VALUE=DATE:{first}{end}"


AUTUMN = all_day("Autumn Term", "20260903", "20261219")
HALF_TERM = all_day("Half Term", "20261026", "20261031")


def parse(*events: str) -> TermDates:
    return parse_term_dates_ics(ics(*events), Region.ENGLAND, "school.ics")


def test_an_all_day_dtend_is_exclusive() -> None:
    # DTEND 19 Dec means the term's last day is Fri 18 Dec; the half term (26-30 Oct, DTEND
    # 31 Oct) splits it, leaving the weekends either side out.
    assert parse(AUTUMN, HALF_TERM).terms == (
        Term(D("2026-09-03"), D("2026-10-23")),
        Term(D("2026-11-02"), D("2026-12-18")),
    )


def test_timed_events_count_on_their_uk_date() -> None:
    # 23:30 UTC on 26 Nov 2026 is 23:30 in London (GMT): 26 Nov. 23:30 UTC on 1 Oct 2026 is
    # 00:30 on 2 Oct in London (BST): 2 Oct. An event ending at midnight ends the day before.
    dates = parse(
        AUTUMN,
        HALF_TERM,
        "SUMMARY:INSET day\nDTSTART:20261126T233000Z\nDTEND:20261126T235900Z",
        "SUMMARY:INSET day\nDTSTART:20261001T233000Z\nDTEND:20261002T010000Z",
        "SUMMARY:School closed\nDTSTART:20261111T000000\nDTEND:20261112T000000",
    )
    assert dates.closures == {D("2026-11-26"), D("2026-10-02"), D("2026-11-11")}


@pytest.mark.parametrize(
    "summary",
    [
        "INSET Day",
        "Inset day - school closed to pupils",
        "Staff Training Day",
        "Teacher development day",
        "School Closed (polling station)",
    ],
)
def test_closure_titles(summary: str) -> None:
    assert parse(AUTUMN, all_day(summary, "20260911")).closures == {D("2026-09-11")}


@pytest.mark.parametrize(
    "summary", ["Half Term", "Half-term holiday", "October half term", "Autumn break", "Holiday"]
)
def test_holiday_titles_are_taken_out_of_term(summary: str) -> None:
    dates = parse(AUTUMN, all_day(summary, "20261026", "20261031"))
    assert len(dates.terms) == 2


@pytest.mark.parametrize(
    "summary",
    ["Bank Holiday", "Parents' Evening", "Autumn term reports home", "Harvest Festival"],
)
def test_other_events_are_ignored(summary: str) -> None:
    assert parse(AUTUMN, HALF_TERM, all_day(summary, "20261112")) == parse(AUTUMN, HALF_TERM)


def test_a_cancelled_event_is_ignored() -> None:
    cancelled = all_day("INSET Day", "20261112") + "\nSTATUS:CANCELLED"
    assert parse(AUTUMN, cancelled).closures == frozenset()


def test_closures_outside_term_are_left_out() -> None:
    # INSET days before pupils start do not change which days are school days.
    assert parse(AUTUMN, all_day("INSET Days", "20260901", "20260903")).closures == frozenset()


def test_term_markers() -> None:
    dates = parse(
        all_day("Autumn term begins", "20260903"),
        all_day("Break up for half term", "20261023"),
        all_day("Pupils return", "20261102"),
        all_day("Last day of the autumn term", "20261218"),
    )
    assert dates.terms == (
        Term(D("2026-09-03"), D("2026-10-23")),
        Term(D("2026-11-02"), D("2026-12-18")),
    )


def test_staff_and_pupil_starts_a_day_apart_are_one_term_edge() -> None:
    dates = parse(
        all_day("INSET - term starts for staff", "20260902"),
        all_day("Term starts for pupils", "20260903"),
        all_day("Term ends", "20261023"),
    )
    assert dates.terms == (Term(D("2026-09-02"), D("2026-10-23")),)
    assert dates.closures == {D("2026-09-02")}


@pytest.mark.parametrize(
    ("events", "problem"),
    [
        ((), "no term dates found among its 0 events"),
        ((all_day("Sports Day", "20260619"),), "no term dates found among its 1 events"),
        ((all_day("Autumn Term", "20260903"),), "lasts one day, so it is not clear"),
        (
            (AUTUMN, all_day("Half term starts", "20261026")),
            "marks one end of a holiday",
        ),
        ((all_day("Term starts", "20260903"),), "starts a term that no 'Term ends' event"),
        ((all_day("Term ends", "20261218"),), "ends a term that no 'Term starts' event begins"),
        (
            (
                all_day("Term starts", "20260903"),
                all_day("Term starts", "20270105"),
                all_day("Term ends", "20270326"),
            ),
            "with no 'Term ends' between them",
        ),
        (
            (all_day("Autumn Term", "20260903", "20270722"),),
            "have no holiday between them",
        ),
        (
            (AUTUMN, all_day("INSET Day", "20260907") + "\nRRULE:FREQ=WEEKLY;COUNT=3"),
            "repeats",
        ),
        (
            ("SUMMARY:INSET Day\nDTSTART;VALUE=DATE:20261327",),
            "the event 'INSET Day' has no usable",
        ),
    ],
)
def test_bad_ics_is_refused_naming_the_file_and_problem(
    events: tuple[str, ...], problem: str
) -> None:
    with pytest.raises(CalendarError) as raised:
        parse(*events)
    assert raised.value.message.startswith("school.ics: ")
    assert problem in raised.value.message


def test_a_summer_holiday_marker_after_term_is_harmless() -> None:
    # "Summer holidays start" the day after term ends marks no term day as holiday.
    dates = parse(AUTUMN, HALF_TERM, all_day("Christmas holidays start", "20261219"))
    assert dates == parse(AUTUMN, HALF_TERM)


@pytest.mark.parametrize("data", [b"hello", b"\xff\xfe\x00", b"BEGIN:VCALENDAR\r\nFOO\r\n"])
def test_a_file_that_is_not_icalendar_is_refused(data: bytes) -> None:
    with pytest.raises(CalendarError, match=r"^school.ics: "):
        parse_term_dates_ics(data, Region.ENGLAND, "school.ics")


def test_an_ics_file_needs_the_region(tmp_path: Path) -> None:
    path = tmp_path / "school.ics"
    path.write_bytes(ics(AUTUMN))
    with pytest.raises(CalendarError, match=r"school\.ics: an iCalendar file does not say"):
        load_term_dates(path)
    assert load_term_dates(path, region=Region.WALES).region is Region.WALES
