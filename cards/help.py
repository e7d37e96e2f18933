"""What the bot does, in plain English: for this person, only what they can do now
(`PersonalHelp`, built by the onboarding flow from their roles); without a directory to
ask, for each role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cards.common import Card, Element, bullets, card, heading, paragraph, say_button, subheading


@dataclass(frozen=True)
class Command:
    word: str  # what to type: "cases"
    says: str  # what it does, in words
    button: str = ""  # a button's title for a word that needs nothing more ("" for none)


@dataclass(frozen=True)
class PersonalHelp:
    """What this person can do now: the words they can type and what their roles do."""

    commands: Sequence[Command] = ()
    roles: Sequence[str] = ()  # what each role they hold does, one paragraph each
    unknown: bool = False  # the trust's directory does not know them


@dataclass(frozen=True)
class HelpView:
    unrecognised: bool = False  # True when the user typed something the bot did not know
    personal: PersonalHelp | None = field(default=None)  # None: the help for every role


NOT_KNOWN = (
    "Safe Premises does not know you yet: your account is not in the trust's list of staff "
    "and governors for any school. Ask your headteacher or the trust's administrator to add you."
)


def build(view: HelpView) -> Card:
    body: list[Element] = [heading("What I can do")]
    if view.unrecognised:
        body.append(paragraph("Sorry, I did not understand that. Here is what I can do."))
    if view.personal is not None:
        return _personal(body, view.personal)
    body += [
        subheading("Everyone at the school"),
        bullets(
            [
                "**report**: report an incident of aggressive or abusive behaviour by a "
                "parent, carer or visitor. I send you a form to fill in.",
                "**cases**: your reports, and where each one has got to.",
                "**who is banned**: the people banned from your school or under conditions "
                "there, and what to do if one of them arrives.",
            ]
        ),
        subheading("Headteacher or nominated senior staff"),
        paragraph(
            "Open a case reported at your school (type **case** and its reference) to carry "
            "out the risk assessment and then choose the school's response (from no further "
            "action to a ban). I draft the right letter for you to check and send, and count "
            "the person's time to reply from the day you mark it as sent."
        ),
        subheading("Chair of the Local Academy Committee"),
        paragraph(
            "When the headteacher imposes conditions or a ban, you confirm or overturn it on "
            "the case's card once the person has had their 10 school days to write to you; "
            "**deadlines** shows the date your decision must be sent by."
        ),
        subheading("Clerk to the Local Academy Committee"),
        paragraph(
            "**cases** and **deadlines** show the cases with a six-monthly review to arrange, "
            "and when each is due; on the case's card you set the meeting's date, and record "
            "the person's statement and the committee's decision."
        ),
        paragraph(
            "Deadlines are counted in school days, using your school's term dates.",
            subtle=True,
        ),
    ]
    return card(
        body,
        [
            say_button("Report an incident", "report"),
        ],
        fallback="Type report to report an incident.",
    )


def _personal(body: list[Element], help: PersonalHelp) -> Card:
    if help.unknown:
        body.append(paragraph(NOT_KNOWN))
        return card(body, fallback=NOT_KNOWN)
    body.append(paragraph("Type one of these:"))
    body.append(bullets(f"**{c.word}**: {c.says}" for c in help.commands))
    body += [paragraph(text) for text in help.roles]
    body.append(
        paragraph(
            "Deadlines are counted in school days, using your school's term dates.", subtle=True
        )
    )
    buttons = [say_button(c.button, c.word) for c in help.commands if c.button]
    return card(body, buttons, fallback="Type " + ", ".join(c.word for c in help.commands) + ".")
