"""The conditions on a person's contact with the school as the letters word them.

The rules record which conditions were imposed (`rules.details.Conditions`: standard ones by
the rules' own `StandardCondition` keys, plus any other conditions in the head's words);
the wording is the model letters', so it lives here. Model letter 2 (and letter 3, which
copies it) words each standard condition one way, model letter 7 another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rules.behaviours import StandardCondition
from rules.details import Conditions
from templates.errors import LetterError


@dataclass(frozen=True)
class ConditionWording:
    """A standard condition as model letter 2 words it (and letter 3, which copies it) and
    as model letter 7 words it. `{head}` is the school's title for its head, `{senior}` the
    other person the parent may contact."""

    imposing: str
    review: str


STANDARD_CONDITIONS: Mapping[StandardCondition, ConditionWording] = MappingProxyType(
    {
        StandardCondition.ACCOMPANIED_TO_MEETINGS: ConditionWording(
            imposing="You must be accompanied to any meeting with a member of the school staff",
            review="You must be accompanied to any meeting with a member of the school staff.",
        ),
        StandardCondition.NO_CONTACT_WITH_STAFF: ConditionWording(
            imposing="You may not make contact by telephone or in writing with any member of staff",
            review="You may not contact by telephone or in writing any member of staff.",
        ),
        StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY: ConditionWording(
            imposing="You may contact either the {head} or {senior}",
            review="You may contact either the {head} or {senior}.",
        ),
        StandardCondition.EVENTS_ONLY_WITH_SLT: ConditionWording(
            imposing=(
                "You may not attend any events for parents except those where you will be"
                " accompanied by a member of the senior leadership team of the school"
            ),
            # No full stop: the model's third item has none.
            review=(
                "You may not attend any events for parents except those where you will be"
                " accompanied by a member of the senior leadership team"
            ),
        ),
    }
)


def check_conditions(owner: str, conditions: Conditions, senior_contact: str | None) -> None:
    """What a letter listing conditions refuses: none chosen, a blank other condition, a
    blank name for the senior contact."""
    if not conditions.standard and not conditions.other:
        raise LetterError(f"{owner}: conditions: choose at least one condition")
    for text in conditions.other:
        if not text.strip():
            raise LetterError(f"{owner}: conditions: other is empty")
    if senior_contact is not None and not senior_contact.strip():
        raise LetterError(f"{owner}: senior_contact is empty")


def _ordered(conditions: Conditions) -> list[StandardCondition]:
    # The model's order, whatever order they were chosen in.
    return [key for key in StandardCondition if key in conditions.standard]


def _senior(head_title: str, senior_contact: str | None) -> str:
    """Letter 2's "Deputy Headteacher/Principal", letter 7's "named senior member of staff":
    the deputy by role unless someone is named."""
    return senior_contact or f"Deputy {head_title}"


def imposing_lines(
    conditions: Conditions, head_title: str, senior_contact: str | None
) -> tuple[str, ...]:
    """The bullet list of letters 2 and 3."""
    senior = _senior(head_title, senior_contact)
    lines = [
        STANDARD_CONDITIONS[key].imposing.format(head=head_title, senior=senior)
        for key in _ordered(conditions)
    ]
    # Letter 2's items have no full stops: an other condition follows suit.
    return (*lines, *(text.strip().rstrip(".") for text in conditions.other))


def review_lines(
    conditions: Conditions, head_title: str, senior_contact: str | None
) -> tuple[str, ...]:
    """The bullet list of letter 7, which puts "no contact" and "except the head or a named
    senior member of staff" in one item."""
    senior = _senior(head_title, senior_contact)
    lines: list[str] = []
    for key in _ordered(conditions):
        text = STANDARD_CONDITIONS[key].review.format(head=head_title, senior=senior)
        if (
            key is StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY
            and StandardCondition.NO_CONTACT_WITH_STAFF in conditions.standard
        ):
            lines[-1] = f"{lines[-1]} {text}"
        else:
            lines.append(text)
    # Letter 7's items end with full stops: an other condition follows suit.
    return (*lines, *(_sentence(text) for text in conditions.other))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
