"""A case's stored history, folded ONCE per command.

    folded = fold_stored(history)          # one pass over the stored events
    folded = folded.extended(appended)     # the command's own events, applied on top

`Folded` keeps, besides the current view, the view as it stood when each letter was called
for (the letters are written from the case at that moment, `casework.effects`), so neither
appending nor drafting folds the history again. It is also the place a snapshot would go: a
store that kept a folded view at some sequence number would start `extended` from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from casework.ports import StoredEvent
from rules.case import CaseView, apply
from rules.events import Event, EventMeta, LetterRequired, event_from_record


def pairs(history: Sequence[StoredEvent]) -> list[tuple[EventMeta, Event]]:
    """Stored events as the rules read them (`HistoryError` for a record they cannot)."""
    return [
        (
            EventMeta(e.seq, e.actor_id, e.at, e.command_id),
            event_from_record(e.kind, dict(e.data)),
        )
        for e in history
    ]


@dataclass(frozen=True)
class Folded:
    """The case's history, its view, and the view as each letter was called for."""

    history: tuple[StoredEvent, ...]
    view: CaseView
    letter_views: Mapping[str, CaseView]  # letter id -> the view just after its LetterRequired

    @property
    def case_id(self) -> str:
        return self.view.case_id

    def extended(self, appended: Sequence[StoredEvent]) -> Folded:
        """This history with `appended` (the next events in sequence) applied on top."""
        folded = _fold(self.view, dict(self.letter_views), appended)
        assert folded is not None
        return Folded((*self.history, *appended), folded[0], folded[1])

    def view_when_called_for(self, letter_id: str) -> CaseView:
        return self.letter_views.get(letter_id, self.view)


def fold_stored(history: Sequence[StoredEvent]) -> Folded | None:
    """The history folded in one pass (None for a case with no events)."""
    folded = _fold(None, {}, history)
    if folded is None:
        return None
    return Folded(tuple(history), folded[0], folded[1])


def _fold(
    view: CaseView | None, marks: dict[str, CaseView], events: Sequence[StoredEvent]
) -> tuple[CaseView, Mapping[str, CaseView]] | None:
    for meta, event in pairs(events):
        view = apply(view, meta, event)
        if isinstance(event, LetterRequired):
            marks[event.letter_id] = view
    if view is None:
        return None
    return view, MappingProxyType(marks)
