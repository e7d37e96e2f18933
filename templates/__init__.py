"""The letters: the policy's seven model letters (and the two it implies) as Jinja2
templates, rendered from typed letter data into HTML, plain text and .docx.

    templates = LetterTemplates.load(override_folder)   # checks a trust's overrides now
    letter = LetterRenderer(templates).render(data)     # data: one of the classes in context

See docs/letters.md.
"""

from templates.errors import LetterError, LetterTemplateError
from templates.render import (
    LOGO_CONTENT_ID,
    TEMPLATE_NAMES,
    InlineImage,
    LetterRenderer,
    LetterTemplates,
    RenderedLetter,
)

__all__ = [
    "LOGO_CONTENT_ID",
    "TEMPLATE_NAMES",
    "InlineImage",
    "LetterError",
    "LetterRenderer",
    "LetterTemplateError",
    "LetterTemplates",
    "RenderedLetter",
]
