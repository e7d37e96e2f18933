"""The card the bot posts when it is installed: what it is for and how to start."""

from __future__ import annotations

from dataclasses import dataclass

from cards.common import Card, bullets, card, heading, paragraph, say_button


@dataclass(frozen=True)
class WelcomeView:
    trust_name: str  # e.g. "Oakfield Learning Trust"


def build(view: WelcomeView) -> Card:
    return card(
        [
            heading("Welcome to Safe Premises"),
            paragraph(
                f"I help {view.trust_name} follow its policy on managing aggressive "
                "behaviour from parents and visitors: I keep the record of each incident, "
                "count the deadlines in school days, and remind the right people when "
                "something is due."
            ),
            paragraph("To get started, type one of these words:"),
            bullets(
                [
                    "**report** to report an incident",
                    "**help** to see everything I can do",
                ]
            ),
            paragraph(
                "What you send me is kept in the school's records and is seen only by the "
                "people the policy names.",
                subtle=True,
            ),
        ],
        [
            say_button("Report an incident", "report"),
            say_button("Help", "help"),
        ],
        fallback="Welcome to Safe Premises. Type report to report an incident, or help.",
    )
