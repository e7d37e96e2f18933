"""Loading a school's term dates from the files a trust has: YAML (one file per school) or
the iCalendar (.ics) file most schools publish. Both give a validated `rules.calendar.TermDates`;
a bad file gives a `CalendarError` naming the file and the problem (docs/school-days.md).

Slightly over our usual 400 lines: the two formats share their checks and their error
wording, which stay together here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import yaml

from rules.calendar import LONGEST_TERM, Region, SchoolCalendar, Term, TermDates, parse_region
from rules.errors import CalendarError

log = logging.getLogger(__name__)

ONE_DAY = timedelta(days=1)
YAML_SUFFIXES = (".yaml", ".yml")
ICS_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")

# School calendars are published in UK time; a timed event is placed on its local date.
UK_TIME = ZoneInfo("Europe/London")


def load_term_dates(path: Path, *, region: Region | None = None) -> TermDates:
    """Term dates from a `.yaml`/`.yml` or `.ics` file.

    An iCalendar file does not say which part of the UK the school is in, so `region` is
    required for one; for YAML it is a check (or the default when the file has none).
    """
    suffix = path.suffix.lower()
    if suffix not in YAML_SUFFIXES + ICS_SUFFIXES:
        raise CalendarError(
            f"{path.name}: term dates must be a .yaml, .yml or .ics file, "
            f"not {suffix or 'a file without an extension'}."
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CalendarError(f"{path.name}: cannot read the file ({error.strerror}).") from None
    if suffix in YAML_SUFFIXES:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CalendarError(f"{path.name}: the file is not UTF-8 text.") from None
        return parse_term_dates_yaml(text, path.name, region=region)
    if region is None:
        raise CalendarError(
            f"{path.name}: an iCalendar file does not say which part of the UK the school is "
            "in; give the region (england, wales, scotland or northern-ireland)."
        )
    return parse_term_dates_ics(data, region, path.name)


# --- YAML ---------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_term_dates_yaml(
    text: str, source_name: str, *, region: Region | None = None
) -> TermDates:
    """Term dates from the YAML format:

        region: england        # england | wales | scotland | northern-ireland
        terms:
          - {start: 2026-09-03, end: 2026-10-23}
        closures: [2026-11-27] # INSET days and other closures inside terms

    Errors name `source_name` and the line. `region`, if given, must agree with the file's
    (or stands in for it when the file has none).
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = error.problem or error.context or "not valid YAML"
        raise CalendarError(f"{source_name}{where}: {problem}.") from None
    except yaml.YAMLError as error:
        raise CalendarError(f"{source_name}: not valid YAML ({error}).") from None
    if root is None:
        raise CalendarError(f"{source_name}: the file is empty; it needs a region and terms.")
    fields = _mapping(root, source_name, "the file", {"region", "terms", "closures"})

    file_region = None
    if "region" in fields:
        node = fields["region"]
        try:
            file_region = parse_region(_scalar(node, source_name, "region"))
        except CalendarError as error:
            raise CalendarError(f"{_at(source_name, node)}: {error.message}") from None
    if file_region is None and region is None:
        raise CalendarError(
            f"{source_name}: say which part of the UK the school is in, e.g. 'region: england'."
        )
    if file_region is not None and region is not None and file_region is not parse_region(region):
        raise CalendarError(
            f"{source_name}: the file is for {file_region.value}, but the school is in "
            f"{parse_region(region).value}."
        )
    chosen = file_region if file_region is not None else parse_region(region or "")

    if "terms" not in fields:
        raise CalendarError(f"{source_name}: the file has no 'terms' list.")
    terms: list[Term] = []
    for item in _sequence(fields["terms"], source_name, "terms"):
        term_fields = _mapping(item, source_name, "a term", {"start", "end"})
        for key in ("start", "end"):
            if key not in term_fields:
                raise CalendarError(f"{_at(source_name, item)}: the term has no {key} date.")
        start = _date(term_fields["start"], source_name, "the term's start")
        end = _date(term_fields["end"], source_name, "the term's end")
        try:
            terms.append(Term(start, end))
        except CalendarError as error:
            raise CalendarError(f"{_at(source_name, item)}: {error.message}") from None

    closures: list[date] = []
    if "closures" in fields:
        closures_node = fields["closures"]
        if not (isinstance(closures_node, yaml.ScalarNode) and closures_node.value == ""):
            for item in _sequence(closures_node, source_name, "closures"):
                closures.append(_date(item, source_name, "a closure"))

    try:
        return TermDates(chosen, tuple(terms), frozenset(closures))
    except CalendarError as error:
        raise CalendarError(f"{source_name}: {error.message}") from None


def _at(source_name: str, node: yaml.Node) -> str:
    return f"{source_name} line {node.start_mark.line + 1}"


def _mapping(
    node: yaml.Node, source_name: str, what: str, allowed: set[str]
) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise CalendarError(f"{_at(source_name, node)}: {what} should be a set of 'key: value'.")
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node, source_name, "a key")
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise CalendarError(
                f"{_at(source_name, key_node)}: unknown key {key!r} in {what} "
                f"(expected {expected})."
            )
        if key in fields:
            raise CalendarError(f"{_at(source_name, key_node)}: {key!r} is given twice.")
        fields[key] = value_node
    return fields


def _sequence(node: yaml.Node, source_name: str, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise CalendarError(f"{_at(source_name, node)}: {what} should be a list.")
    return list(node.value)


def _scalar(node: yaml.Node, source_name: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise CalendarError(f"{_at(source_name, node)}: {what} should be a single value.")
    return str(node.value)


def _date(node: yaml.Node, source_name: str, what: str) -> date:
    text = _scalar(node, source_name, what).strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise CalendarError(
            f"{_at(source_name, node)}: {what} {text!r} is not a date written as YYYY-MM-DD."
        ) from None


# --- iCalendar ----------------------------------------------------------------------------

# The mapping from event titles (SUMMARY) to term dates, checked in this order. "Half term"
# is rewritten to one word first so that it never reads as a term.
_HALF_TERM = re.compile(r"\bhalf[\s-]*term\b")
_BANK_HOLIDAY = re.compile(r"\bbank\s+holiday")
_CLOSURE = re.compile(
    r"\binset\b|\btraining\s+days?\b|\b(?:staff|professional|teacher)\s+development\b"
    r"|\bschool\s+(?:is\s+)?closed?\b|\bclosure\b|\bschool\s+closure\b"
)
_TERM_END = re.compile(
    r"\bterm\s+(?:ends?|finishes|closes)\b|\b(?:end|last\s+day)\s+of\s+(?:the\s+)?\w*\s*term\b"
    r"|\bbreaks?\s+up\b"
)
_TERM_START = re.compile(
    r"\bterm\s+(?:starts?|begins?|commences?|opens?)\b"
    r"|\b(?:start|beginning|first\s+day)\s+of\s+(?:the\s+)?\w*\s*term\b"
    r"|\b(?:pupils|students|children)\s+return\b|\bschool\s+(?:re-?)?opens\b"
)
_BREAK = re.compile(r"\bhalfterm\b|\bholidays?\b|\bbreak\b|\bvacation\b")
_EDGE_WORDS = re.compile(r"\b(?:starts?|begins?|ends?|finish(?:es)?|last|first)\b")
_TERM = re.compile(r"\bterm\b")
# What a title that is only a term's name ("Autumn Term 2", "Spring term 2027") is made of.
_TERM_NAME_WORDS = re.compile(
    r"[\d\W_]+|\b(?:autumn|spring|summer|winter|michaelmas|lent|trinity|term"
    r"|first|second|third|one|two|three|[ab])\b"
)
# Staff often start a day or two before pupils; markers this close are one term edge.
_MARKER_SLACK = timedelta(days=7)


@dataclass(frozen=True)
class _Event:
    summary: str
    first: date  # first day covered
    last: date  # last day covered (an all-day DTEND is exclusive, so one day earlier)

    def days(self) -> Iterable[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += ONE_DAY

    def describe(self) -> str:
        if self.first == self.last:
            return f"the event {self.summary!r} on {self.first.isoformat()}"
        return (
            f"the event {self.summary!r} from {self.first.isoformat()} to {self.last.isoformat()}"
        )


def parse_term_dates_ics(data: bytes, region: Region, source_name: str) -> TermDates:
    """Term dates from an iCalendar file, mapping event titles as docs/school-days.md says:

    - "Autumn Term", "Spring Term 2" (spanning the term): term days;
    - "Term starts"/"First day of term" ... "Term ends"/"Last day of term"/"Break up": a term
      from each start to the next end;
    - "Half Term", "Christmas Holidays", "Easter break": taken out of the terms;
    - "INSET Day", "Staff training day", "School closed": closures (ignored outside term);
    - "Bank Holiday" and everything else (parents' evenings, trips): ignored.
    """
    chosen = parse_region(region)
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except ValueError as error:
        raise CalendarError(f"{source_name}: not a valid iCalendar file ({error}).") from None
    events = [
        event
        for calendar in calendars
        for event in calendar.walk("VEVENT")
        if isinstance(event, icalendar.Event)
        and str(event.get("STATUS", "")).upper() != "CANCELLED"
    ]

    span_days: set[date] = set()
    break_days: set[date] = set()
    closure_days: set[date] = set()
    markers: list[tuple[date, bool, _Event]] = []  # (day, is_start, event)
    edge_breaks: list[_Event] = []  # "Half term starts": one end of a holiday only
    for component in events:
        title = " ".join(str(component.get("SUMMARY", "")).split())
        text = _HALF_TERM.sub("halfterm", title.lower())
        if not text or _BANK_HOLIDAY.search(text):
            continue  # bank holidays come from the region, not the file
        is_closure = bool(_CLOSURE.search(text))
        is_end = bool(_TERM_END.search(text))
        is_start = bool(_TERM_START.search(text)) and not is_end
        is_break = bool(_BREAK.search(text)) and not (is_start or is_end or is_closure)
        is_span = bool(_TERM.search(text)) and not (is_start or is_end or is_closure or is_break)
        if not (is_closure or is_start or is_end or is_break or is_span):
            continue
        event = _event(component, title, source_name)
        if component.get("RRULE") is not None:
            raise CalendarError(
                f"{source_name}: {event.describe()} repeats; term dates cannot be read from "
                "repeating events. Give each date its own event."
            )
        if is_closure:
            closure_days.update(event.days())
        if is_start:
            markers.append((event.first, True, event))
        if is_end:
            markers.append((event.last, False, event))
        if is_break:
            if _EDGE_WORDS.search(text):
                edge_breaks.append(event)  # harmless unless it falls in term: checked below
            else:
                break_days.update(event.days())
        if is_span and event.first == event.last:
            if _TERM_NAME_WORDS.sub("", text):
                continue  # a one-day note about a term ("Autumn term reports home")
            raise CalendarError(
                f"{source_name}: {event.describe()} lasts one day, so it is not clear "
                "whether the term starts or ends then. Call it 'Term starts' or 'Term "
                "ends', or make it span the whole term."
            )
        if is_span:
            span_days.update(event.days())

    term_days = span_days | _marked_term_days(markers, source_name)
    if not term_days:
        raise CalendarError(
            f"{source_name}: no term dates found among its {len(events)} events. The import "
            "needs events named like 'Autumn Term' spanning each term, or 'Term starts' and "
            "'Term ends' on the first and last days (docs/school-days.md)."
        )
    for event in edge_breaks:
        if not term_days.isdisjoint(event.days()):
            raise CalendarError(
                f"{source_name}: {event.describe()} marks one end of a holiday, so which "
                "days are holiday cannot be told. Make the holiday one event that spans "
                "its days (e.g. 'Half Term' from Monday to Friday)."
            )
    runs = _runs(term_days - break_days)
    for first, last in runs:
        if last - first > LONGEST_TERM:
            raise CalendarError(
                f"{source_name}: the term days from {first.isoformat()} to {last.isoformat()} "
                "have no holiday between them; the file needs its holidays as events (e.g. "
                "'Half Term', 'Christmas Holidays')."
            )
    in_term = term_days - break_days
    closures = frozenset(day for day in closure_days if day in in_term)
    dropped = len(closure_days) - len(closures)
    if dropped:
        # Outside term a closure changes nothing: those days are not school days anyway.
        log.info("term dates %s: %s closure days outside term ignored", source_name, dropped)
    try:
        return TermDates(chosen, tuple(Term(first, last) for first, last in runs), closures)
    except CalendarError as error:
        raise CalendarError(f"{source_name}: {error.message}") from None


def _event(component: icalendar.Event, title: str, source_name: str) -> _Event:
    try:
        start = component.start
        end = component.end
    except ValueError as error:
        raise CalendarError(
            f"{source_name}: the event {title!r} has no usable start or end ({error})."
        ) from None
    if isinstance(start, datetime):
        first = _local_date(start)
        end_dt = end if isinstance(end, datetime) else datetime.combine(end, datetime.min.time())
        # A timed event ending at midnight does not reach into the next day.
        last = _local_date(end_dt - timedelta(microseconds=1)) if end_dt > start else first
    else:
        first = start
        last = (end - ONE_DAY) if end > start else start  # all-day DTEND is exclusive
    return _Event(title, first, max(first, last))


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()  # "floating" time: already the school's local time
    return moment.astimezone(UK_TIME).date()


def _marked_term_days(markers: list[tuple[date, bool, _Event]], source_name: str) -> set[date]:
    """The days from each "term starts" to the next "term ends".

    A second start or end within a week of the first (staff, then pupils) is merged: the term
    runs from the earliest start to the latest end. Further apart, one is missing: an error.
    """
    days: set[date] = set()
    open_start: tuple[date, _Event] | None = None
    last_end: date | None = None
    for day, is_start, event in sorted(markers, key=lambda marker: (marker[0], not marker[1])):
        if is_start and open_start is None:
            open_start = (day, event)
        elif is_start:
            assert open_start is not None
            if day - open_start[0] > _MARKER_SLACK:
                raise CalendarError(
                    f"{source_name}: {open_start[1].describe()} starts a term, and "
                    f"{event.describe()} starts another, with no 'Term ends' between them."
                )
        elif open_start is not None:
            days.update(_span(open_start[0], day))
            open_start, last_end = None, day
        elif last_end is not None and day - last_end <= _MARKER_SLACK:
            days.update(_span(last_end, day))
            last_end = day
        else:
            raise CalendarError(
                f"{source_name}: {event.describe()} ends a term that no 'Term starts' event begins."
            )
    if open_start is not None:
        raise CalendarError(
            f"{source_name}: {open_start[1].describe()} starts a term that no 'Term ends' "
            "event finishes."
        )
    return days


def _span(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def _runs(days: set[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days as (first, last), trimmed of weekends at either end."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == ONE_DAY:
            runs[-1].append(day)
        else:
            runs.append([day])
    trimmed: list[tuple[date, date]] = []
    for run in runs:
        weekdays = [day for day in run if day.weekday() < 5]
        if weekdays:
            trimmed.append((weekdays[0], weekdays[-1]))
    return trimmed


def term_dates_running_out(
    calendars: Mapping[str, SchoolCalendar], today: date, threshold: int
) -> tuple[str, ...]:
    """A warning for each school whose configured terms hold fewer than `threshold` school
    days after `today` (issue 9, rule 6): past them no reply-by date can be counted, so
    letters wait. Each names the school's id and the day its dates end, nothing personal."""
    warnings: list[str] = []
    for school_id, calendar in calendars.items():
        left = calendar.school_days_left(today)
        dates = calendar.term_dates
        if left is None or dates is None or left >= threshold:
            continue
        warnings.append(
            f"school {school_id}: the term dates end on {dates.last_day.isoformat()}, "
            f"{left} school day(s) from today (fewer than {threshold}); add the next school "
            "year's term dates, or letters whose reply-by date falls after them will wait"
        )
    return tuple(warnings)
