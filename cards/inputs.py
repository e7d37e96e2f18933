"""The inputs a card asks for, each described once (Adaptive Card schema 1.5).

A card module declares each of its inputs as one of these descriptions; the same
description builds the card's element (`element()`) and reads the submitted value
(`Submitted`), so an input's id, and what the person is told when it is missing, are
written in one place. Like every card module this stays pure (standard library only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards.common import Choice, Element, choices


@dataclass(frozen=True)
class TextInput:
    """An Input.Text. `error` is what the client (and the parser) says when it is empty."""

    id: str
    label: str
    error: str = ""
    required: bool = True
    multiline: bool = False
    placeholder: str = ""
    max_length: int = 0

    def element(self) -> Element:
        element: Element = {"type": "Input.Text", "id": self.id, "label": self.label}
        if self.required:
            element["isRequired"] = True
            element["errorMessage"] = self.error
        if self.multiline:
            element["isMultiline"] = True
        if self.placeholder:
            element["placeholder"] = self.placeholder
        if self.max_length:
            element["maxLength"] = self.max_length
        return element


@dataclass(frozen=True)
class DateInput:
    """An Input.Date, always required: it submits YYYY-MM-DD."""

    id: str
    label: str
    error: str

    def element(self) -> Element:
        return {
            "type": "Input.Date",
            "id": self.id,
            "label": self.label,
            "isRequired": True,
            "errorMessage": self.error,
        }


@dataclass(frozen=True)
class TimeInput:
    """An Input.Time, always required: it submits HH:MM."""

    id: str
    label: str
    error: str

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


def keep_typed(body: list[Element], values: Mapping[str, str]) -> None:
    """Put back what the person typed, so a refused submit loses nothing."""
    for element in body:
        input_id = element.get("id")
        if isinstance(input_id, str) and input_id in values:
            element["value"] = str(values[input_id])


# --- reading a submit ---------------------------------------------------------------------


def submitted_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The text inputs of a submit (Teams sends every value as a string)."""
    return {key: value for key, value in data.items() if isinstance(value, str)}


class Submitted:
    """One submit, read input by input; every problem found is kept, in the order read,
    so that the card can list them all at once."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.values = submitted_values(data)
        self.problems: list[str] = []

    def key(self, key: str, problem: str = "") -> str:
        """A value the card's action carries (not an input), such as its command id."""
        value = self.values.get(key, "").strip()
        if not value and problem:
            self.problems.append(problem)
        return value

    def text(self, field: TextInput) -> str:
        return self.key(field.id, field.error if field.required else "")

    def date(self, field: DateInput) -> str:
        value = self.key(field.id)
        if not _looks_like_date(value):
            self.problems.append(field.error)
        return value

    def time(self, field: TimeInput) -> str:
        value = self.key(field.id)
        if not _looks_like_time(value):
            self.problems.append(field.error)
        return value

    def one(self, field: ChoiceSetInput, offered: Sequence[Choice], problem: str = "") -> str:
        """The one choice made, which must be one the card offered."""
        value = self.key(field.id)
        if value not in {c.value for c in offered}:
            self.problems.append(problem or field.error)
        return value

    def several(
        self, field: ChoiceSetInput, offered: Sequence[Choice], problem: str = ""
    ) -> tuple[str, ...]:
        """The choices made (a multi-select submits them comma-separated): at least one,
        each one the card offered."""
        chosen = tuple(part.strip() for part in self.key(field.id).split(",") if part.strip())
        if not chosen or any(c not in {o.value for o in offered} for c in chosen):
            self.problems.append(problem or field.error)
        return chosen

    def lines(self, field: TextInput) -> tuple[str, ...]:
        """A multi-line text as its non-empty lines."""
        return tuple(line.strip() for line in self.text(field).splitlines() if line.strip())

    def toggle(self, field: ToggleInput) -> bool:
        return self.key(field.id) == "true"


def _digits(text: str, lengths: Sequence[int], separator: str) -> list[int] | None:
    parts = text.split(separator)
    if len(parts) != len(lengths):
        return None
    if any(len(p) != n or not p.isdigit() for p, n in zip(parts, lengths, strict=True)):
        return None
    return [int(p) for p in parts]


def _looks_like_date(text: str) -> bool:
    parts = _digits(text, (4, 2, 2), "-")
    return parts is not None and 1 <= parts[1] <= 12 and 1 <= parts[2] <= 31


def _looks_like_time(text: str) -> bool:
    parts = _digits(text[:5], (2, 2), ":")
    return parts is not None and parts[0] <= 23 and parts[1] <= 59
