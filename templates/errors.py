"""Why a letter could not be drafted. Messages name the letter (and the template or field)
so that whoever reads the case or the start-up log knows what to fix."""

from __future__ import annotations


class LetterError(Exception):
    """A letter could not be rendered: missing or inconsistent data, or a template that
    used a field the letter data does not have. Never a half-filled letter."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LetterTemplateError(LetterError):
    """A trust's override template is broken, incomplete or misnamed. Raised at load,
    so the service refuses to start instead of drafting wrong letters later."""
