"""What the bot does, for each role, in plain English."""

from __future__ import annotations

from dataclasses import dataclass

from cards.common import Card, bullets, card, heading, paragraph, say_button, subheading


@dataclass(frozen=True)
class HelpView:
    unrecognised: bool = False  # True when the user typed something the bot did not know


def build(view: HelpView) -> Card:
    body = [heading("What I can do")]
    if view.unrecognised:
        body.append(paragraph("Sorry, I did not understand that. Here is what I can do."))
    body += [
        subheading("Everyone at the school"),
        bullets(
            [
                "**report**: report an incident of aggressive or abusive behaviour by a "
                "parent, carer or visitor. I send you a form to fill in.",
                "**Add a statement** to an incident you witnessed, when you are asked to.",
                "**See your reports** and where each one has got to.",
            ]
        ),
        subheading("Headteacher or nominated senior staff"),
        paragraph(
            "When an incident is reported at your school, I send you a card to carry out the "
            "risk assessment and then to choose the school's response (from no further "
            "action to a ban). I draft the right letter for you to check and send, and "
            "tell you when the person's time to reply runs out."
        ),
        subheading("Chair of the Local Academy Committee"),
        paragraph(
            "When the headteacher imposes conditions or a ban, I ask you to confirm or "
            "overturn it once the person has had their 10 school days to write to you, and "
            "I remind you of the date your decision must be sent."
        ),
        subheading("Clerk to the Local Academy Committee"),
        paragraph(
            "I remind you when a six-monthly review is due, draft the letter asking for the "
            "person's statement, and ask you to record the committee's decision after the "
            "meeting."
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
