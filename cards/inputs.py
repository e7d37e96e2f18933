"""The inputs a card asks for, each described once (Adaptive Card schema 1.5).

A card module declares each of its inputs as one of these descriptions; the same
description builds the card's element (`element()`) and reads the submitted value
(`Submitted`), so an input's id, its limits, and what the person is told when it is
missing or wrong, are written in one place. Like every card module this stays pure
(standard library only).

The card's own limits (`maxLength`, `isRequired`, `min`) are hints: any client can submit
anything, so `Submitted` enforces every one of them again, on the server, and says which
field is wrong (`at_fields`) as well as listing the problems. The limits are written down
per field in docs/input-limits.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards.common import Choice, Element, choices


@dataclass(frozen=True)
class TextInput:
    """An Input.Text. `error` is what the client (and the parser) says when it is empty.

    Every text input has a `max_length`: the card sets it as `maxLength` and the parser
    refuses a longer value, whatever the client did.
    """

    id: str
    label: str
    error: str = ""
    required: bool = True
    multiline: bool = False
    placeholder: str = ""
    max_length: int = 0

    def __post_init__(self) -> None:
        if self.max_length <= 0:
            raise ValueError(f"the text input {self.id!r} needs a max_length")

    def element(self) -> Element:
        element: Element = {"type": "Input.Text", "id": self.id, "label": self.label}
        if self.required:
            element["isRequired"] = True
            element["errorMessage"] = self.error
        if self.multiline:
            element["isMultiline"] = True
        if self.placeholder:
            element["placeholder"] = self.placeholder
        element["maxLength"] = self.max_length
        return element


@dataclass(frozen=True)
class DateInput:
    """An Input.Date, always required: it submits YYYY-MM-DD.

    `earliest` (YYYY-MM-DD) is the first date accepted, and `too_early` what is said for an
    earlier one; the card also shows it as `min`. A latest date, when the card knows one,
    is given to `element` (shown as `max`); enforcing it needs a clock, so it is the flow's.
    """

    id: str
    label: str
    error: str
    earliest: str = ""
    too_early: str = ""

    def element(self, latest: str = "") -> Element:
        element: Element = {
            "type": "Input.Date",
            "id": self.id,
            "label": self.label,
            "isRequired": True,
            "errorMessage": self.error,
        }
        if self.earliest:
            element["min"] = self.earliest
        if latest:
            element["max"] = latest
        return element


@dataclass(frozen=True)
class TimeInput:
    """An Input.Time, always required: it submits HH:MM (HH:MM:SS is accepted too).

    A time with a zone suffix ("08:45Z", "08:45+01:00") is refused with `with_zone`, never
    read with its zone dropped: the card asks for the time as the school's clock showed it.
    """

    id: str
    label: str
    error: str
    with_zone: str = "Give the time as the clock showed it, without a time zone (like 08:45)."

    def element(self) -> Element:
        return {
            "type": "Input.Time",
            "id": self.id,
            "label": self.label,
            "isRequired": True,
            "errorMessage": self.error,
        }


@dataclass(frozen=True)
class ChoiceSetInput:
    """An Input.ChoiceSet, always required; its choices come from the card's view."""

    id: str
    label: str
    error: str
    expanded: bool = False
    multi: bool = False

    def element(self, options: Sequence[Choice]) -> Element:
        if not options:
            raise ValueError(f"the choice set {self.id!r} has no choices")
        element: Element = {
            "type": "Input.ChoiceSet",
            "id": self.id,
            "label": self.label,
            "choices": choices(options),
            "style": "expanded" if self.expanded else "compact",
            "isRequired": True,
            "errorMessage": self.error,
        }
        if self.multi:
            element["isMultiSelect"] = True
        return element


@dataclass(frozen=True)
class ToggleInput:
    """An Input.Toggle that submits "true" or "false" (off unless the person turns it on)."""

    id: str
    title: str

    def element(self) -> Element:
        return {
            "type": "Input.Toggle",
            "id": self.id,
            "title": self.title,
            "value": "false",
            "valueOn": "true",
            "valueOff": "false",
        }


# What a refused submit puts back into an input is cut to this many characters when the
# input sets no maxLength of its own: only a client that ignores the card sends more.
MAX_KEPT_CHARS = 1000


def keep_typed(body: list[Element], values: Mapping[str, str]) -> None:
    """Put back what the person typed, so a refused submit loses nothing.

    A value longer than the input's `maxLength` (which Teams never sends) is put back cut
    to it, so that the card sent again stays within what Teams shows.
    """
    for element in body:
        input_id = element.get("id")
        if isinstance(input_id, str) and input_id in values:
            limit = element.get("maxLength")
            cap = limit if isinstance(limit, int) and limit > 0 else MAX_KEPT_CHARS
            element["value"] = str(values[input_id])[:cap]


def field_problem(message: str) -> Element:
    """The problem with one input, shown just under it.

    An input's own `errorMessage` is shown only when the client's check fails; a problem
    the server found is a TextBlock in the attention colour under the input.
    """
    return {"type": "TextBlock", "text": message, "color": "attention", "wrap": True}


def with_field_problems(body: list[Element], at_fields: Mapping[str, str]) -> list[Element]:
    """`body` with each input in `at_fields` followed by its problem."""
    shown: list[Element] = []
    for element in body:
        shown.append(element)
        input_id = element.get("id")
        if isinstance(input_id, str) and input_id in at_fields:
            shown.append(field_problem(at_fields[input_id]))
    return shown


# --- reading a submit ---------------------------------------------------------------------


def submitted_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The text inputs of a submit (Teams sends every value as a string)."""
    return {key: value for key, value in data.items() if isinstance(value, str)}


# A value the card's action carries (its command id) is ours, made of these characters;
# anything else did not come from a card the bot sent, and must never reach a log line.
_TOKEN_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
MAX_TOKEN_CHARS = 64


class Submitted:
    """One submit, read input by input; every problem found is kept, in the order read,
    so that the card can list them all at once, and the first problem of each input is
    kept by its id (`at_fields`), to show next to it."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.values = submitted_values(data)
        self.problems: list[str] = []
        self.at_fields: dict[str, str] = {}

    def problem(self, message: str, field_id: str = "") -> None:
        self.problems.append(message)
        if field_id:
            self.at_fields.setdefault(field_id, message)

    def key(self, key: str, problem: str = "") -> str:
        """A value the card's action carries (not an input), such as its command id: at
        most 64 letters, digits and `-_.:`."""
        value = self.values.get(key, "").strip()
        if problem and (
            not value or len(value) > MAX_TOKEN_CHARS or not _TOKEN_CHARACTERS.issuperset(value)
        ):
            self.problem(problem)
        return value

    def text(self, field: TextInput) -> str:
        value = self.values.get(field.id, "").strip()
        if not value:
            if field.required:
                self.problem(field.error, field.id)
        elif len(value) > field.max_length:
            self.problem(
                f"“{field.label}” is too long: it can have at most {field.max_length:,} "
                f"characters, and this has {len(value):,}.",
                field.id,
            )
        elif not _printable(value, multiline=field.multiline):
            self.problem(
                f"“{field.label}” contains control characters that cannot be printed; "
                "please take them out."
                if field.multiline
                else f"“{field.label}” must be one line of text, without line breaks, tabs "
                "or other control characters.",
                field.id,
            )
        return value

    def date(self, field: DateInput) -> str:
        value = self.values.get(field.id, "").strip()
        if not _looks_like_date(value):
            self.problem(field.error, field.id)
        elif field.earliest and value < field.earliest:
            # Both are YYYY-MM-DD, so they compare as dates.
            self.problem(field.too_early or field.error, field.id)
        return value

    def time(self, field: TimeInput) -> str:
        value = self.values.get(field.id, "").strip()
        if _has_zone_suffix(value):
            self.problem(field.with_zone, field.id)
        elif not _looks_like_time(value):
            self.problem(field.error, field.id)
        return value

    def one(self, field: ChoiceSetInput, offered: Sequence[Choice], problem: str = "") -> str:
        """The one choice made, which must be one the card offered."""
        value = self.values.get(field.id, "").strip()
        if value not in {c.value for c in offered}:
            self.problem(problem or field.error, field.id)
        return value

    def several(
        self, field: ChoiceSetInput, offered: Sequence[Choice], problem: str = ""
    ) -> tuple[str, ...]:
        """The choices made (a multi-select submits them comma-separated): at least one,
        each one the card offered, each once."""
        parts = self.values.get(field.id, "").split(",")
        chosen = tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))
        if not chosen or any(c not in {o.value for o in offered} for c in chosen):
            self.problem(problem or field.error, field.id)
        return chosen

    def lines(self, field: TextInput) -> tuple[str, ...]:
        """A multi-line text as its non-empty lines."""
        return tuple(line.strip() for line in self.text(field).splitlines() if line.strip())

    def toggle(self, field: ToggleInput) -> bool:
        value = self.values.get(field.id, "false").strip()
        if value not in ("true", "false"):
            self.problem(f"“{field.title}” must be either on or off.", field.id)
        return value == "true"


# Characters no text field may hold: C0 and C1 control characters, the Unicode line and
# paragraph separators, the bidirectional embedding, override and isolate controls (they
# can make a name print as another), lone surrogates (not text at all: a letter holding
# one cannot be written) and the two non-characters U+FFFE and U+FFFF. A multi-line field
# may hold tabs and line breaks; a single-line one may not (a line break in a name breaks
# the letter that prints it).
_ALWAYS_FORBIDDEN = frozenset(
    [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
    + ["\u2028", "\u2029", "\ufffe", "\uffff"]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)
_MULTILINE_ALLOWED = frozenset("\t\n\r")


def _printable(text: str, *, multiline: bool) -> bool:
    # Every forbidden character is one `isprintable` refuses, so most text takes the
    # quick path; only text with something unprintable is looked at character by character.
    if text.isprintable():
        return True
    allowed = _MULTILINE_ALLOWED if multiline else frozenset()
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            return False
        if char in _ALWAYS_FORBIDDEN and char not in allowed:
            return False
    return True


def _digits(text: str, lengths: Sequence[int], separator: str) -> list[int] | None:
    parts = text.split(separator)
    if len(parts) != len(lengths):
        return None
    if any(
        len(p) != n or not (p.isascii() and p.isdigit())
        for p, n in zip(parts, lengths, strict=True)
    ):
        return None
    return [int(p) for p in parts]


def _looks_like_date(text: str) -> bool:
    parts = _digits(text, (4, 2, 2), "-")
    return parts is not None and 1 <= parts[1] <= 12 and 1 <= parts[2] <= 31


def _looks_like_time(text: str) -> bool:
    """HH:MM, or HH:MM:SS, and nothing else."""
    parts = _digits(text, (2, 2), ":") or _digits(text, (2, 2, 2), ":")
    return parts is not None and parts[0] <= 23 and all(p <= 59 for p in parts[1:])


def _has_zone_suffix(text: str) -> bool:
    """A time of day followed by a UTC offset or Z ("08:45Z", "08:45:00.000+01:00")."""
    for index, char in enumerate(text):
        if index >= 5 and char in "Zz+-":
            return _looks_like_time(text[:index].split(".")[0])
    return False
