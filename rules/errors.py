"""Named refusals. Every rule that says "no" raises one of these, with a message written
for the person who asked (a headteacher on a phone), never a stack trace."""


class Refusal(Exception):
    """Base of every refusal the rules can give. `str(refusal)` is the user-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CalendarError(Refusal):
    """A school calendar that cannot answer: bad term dates, or a date outside them."""
