"""Templates in, letters out: `LetterTemplates` (the default templates plus a trust's
overrides, checked at load) and `LetterRenderer` (letter data to HTML, text and .docx).

How a letter is made, and why this way:

1. The letter's Jinja template (extending `layout.j2`) renders the letter data into letter
   markup (`markup.py`): a sandboxed environment, autoescaping, `StrictUndefined`, and a
   `finalize` hook that wraps every printed value in `<v>…</v>` and refuses None, blanks
   and unformatted dates. Templates are only ever loaded from files; data is only ever
   passed as context, so text such as "{{ 7*7 }}" in a summary is printed, never run.
2. The markup is read into one `LetterDocument` (paragraphs, headings, bullets).
3. The placeholder check refuses the letter if the templates' own text still holds any
   of the model letters' form text.
4. HTML, plain text and .docx are each written from that one document.
"""

from __future__ import annotations

import logging
import re
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from templates.context import LETTER_TYPES, Incident, LetterData
from templates.errors import LetterError, LetterTemplateError
from templates.formatting import and_list, clock_time, date_and_time, long_date
from templates.markup import LetterDocument, check_no_placeholders, read_markup
from templates.writers import write_html, write_text

logger = logging.getLogger(__name__)

LAYOUT = "layout.j2"
MACROS = "macros.j2"
TEMPLATE_NAMES: tuple[str, ...] = (LAYOUT, MACROS, *(f"{lid}.j2" for lid in LETTER_TYPES))
"""Every template file, by the name an override must use."""

# The names a template may use; field paths under them are what an override must keep.
_CONTEXT_NAMES = frozenset(
    {"letter", "common", "trust", "school", "addressee", "signer", "head_title"}
)


# --- the environment ------------------------------------------------------------------------


class _Marked(Markup):
    """Letter markup built by a filter, its data already inside <v>…</v>."""


# Characters XML 1.0 (and so .docx) cannot hold; pasted text sometimes carries them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _mark(text: str) -> _Marked:
    return _Marked(Markup("<v>") + escape(_NOT_XML.sub(" ", text)) + Markup("</v>"))


def _finalize(value: object) -> object:
    if isinstance(value, Markup):  # macro and block output, or a filter's marked markup
        return value
    if value is None:
        raise LetterError("a field with no value was printed (put optional fields in {% if %})")
    if isinstance(value, date | time):
        raise LetterError(f"{value!r} was printed without the date or time filter")
    text = str(value)
    if not text.strip():
        raise LetterError("an empty field was printed")
    return _mark(text)


def _paragraphs(text: str) -> _Marked:
    """The person's text as paragraphs: a blank line starts a paragraph, a newline breaks
    a line. Escaped, and marked as data."""
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if c.strip()]
    if not chunks:
        raise LetterError("an empty text was printed")
    return _Marked(
        Markup("").join(Markup("<p>") + _lines(chunk) + Markup("</p>") for chunk in chunks)
    )


def _lines(text: str) -> _Marked:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        raise LetterError("an empty text was printed")
    return _Marked(Markup("<br>").join(_mark(line) for line in lines))


def _join(values: Iterable[object], separator: str = ", ") -> _Marked:
    return _Marked(escape(separator).join(_mark(str(value)) for value in values))


def _occasion(incident: Incident) -> str:
    """ "Monday 16 March 2026 at 3.15pm, at the main gate"."""
    when = date_and_time(incident.on, incident.at)
    return f"{when}, {incident.details.strip().rstrip('.')}" if incident.details else when


def _date_time(day: date, moment: time | None) -> str:
    return date_and_time(day, moment)


class _SourcesLoader(BaseLoader):
    """Templates from memory, each under its own name (so errors point at the file)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self._sources = dict(sources)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template not in self._sources:
            raise TemplateNotFound(template)
        return self._sources[template], template, lambda: True


def _environment(sources: Mapping[str, str]) -> Environment:
    env = ImmutableSandboxedEnvironment(
        loader=_SourcesLoader(sources),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        {
            "date": long_date,
            "time": clock_time,
            "date_time": _date_time,
            "occasion": _occasion,
            "paragraphs": _paragraphs,
            "lines": _lines,
            "and_list": lambda items: and_list(str(item) for item in items),
            "join": _join,
        }
    )
    return env


def _default_sources() -> dict[str, str]:
    folder = resources.files("templates") / "letters"
    return {name: (folder / name).read_text(encoding="utf-8") for name in TEMPLATE_NAMES}


# --- checking an override's structure -------------------------------------------------------


def _field_paths(ast: nodes.Template) -> set[str]:
    """Dotted paths under the context names ("letter.reply_by", "head_title")."""
    paths: set[str] = set()
    inner = {id(node.node) for node in ast.find_all(nodes.Getattr)}  # parts of longer chains
    for node in ast.find_all((nodes.Getattr, nodes.Name)):
        if id(node) in inner:
            continue
        parts: list[str] = []
        current: nodes.Node = node
        while isinstance(current, nodes.Getattr):
            parts.append(current.attr)
            current = current.node
        if isinstance(current, nodes.Name) and current.name in _CONTEXT_NAMES:
            paths.add(".".join([current.name, *reversed(parts)]))
    return paths


def _blocks(ast: nodes.Template) -> set[str]:
    return {block.name for block in ast.find_all(nodes.Block)}


def _macros(ast: nodes.Template) -> set[str]:
    return {macro.name for macro in ast.find_all(nodes.Macro)}


def _structure_problems(name: str, default: nodes.Template, override: nodes.Template) -> list[str]:
    problems = [
        f"it has no block {block!r}, which the default has"
        for block in sorted(_blocks(default) - _blocks(override))
    ]
    problems += [
        f"it has no macro {macro!r}, which the default has (letters use it)"
        for macro in sorted(_macros(default) - _macros(override))
    ]
    if name != MACROS:
        used = _field_paths(override)
        for path in sorted(_field_paths(default)):
            if not any(
                p == path or p.startswith(path + ".") or path.startswith(p + ".") for p in used
            ):
                problems.append(f"it does not use {path}, which the default letter includes")
    return problems


# --- templates ------------------------------------------------------------------------------


class LetterTemplates:
    """The default letter templates with a trust's overrides in place. Build with `load`."""

    def __init__(self, sources: Mapping[str, str], overridden: frozenset[str]) -> None:
        self.sources: Mapping[str, str] = types.MappingProxyType(dict(sources))
        self.overridden = overridden
        self.environment = _environment(sources)

    @classmethod
    def load(cls, override_folder: Path | None = None) -> LetterTemplates:
        """The defaults, with any templates in `override_folder` replacing them by name.

        Every override is checked now, so that a bad one stops start-up with a message
        naming it: a syntax error, a name that is not a template (likely a typo), a block,
        macro or field the default has and the override lacks, or a failure to render any
        example letter (an unknown field, leftover form text).
        """
        sources = _default_sources()
        if override_folder is None:
            return cls(sources, frozenset())
        overrides = _read_overrides(override_folder)
        probe = _environment({**sources, **overrides})
        for name, source in sorted(overrides.items()):
            where = override_folder / name
            try:
                override_ast = probe.parse(source, name=name)
            except TemplateSyntaxError as error:
                raise LetterTemplateError(
                    f"{where}: line {error.lineno}: {error.message}"
                ) from error
            default_ast = probe.parse(sources[name], name=name)
            problems = _structure_problems(name, default_ast, override_ast)
            if problems:
                raise LetterTemplateError(f"{where}: {'; '.join(problems)}")
        templates = cls({**sources, **overrides}, frozenset(overrides))
        templates._check_with_examples(override_folder)
        logger.info("letter templates loaded with %s override(s)", len(overrides))
        return templates

    def _check_with_examples(self, override_folder: Path) -> None:
        """Render the example letters that the overrides change: every letter when the
        layout or the macros are overridden (every letter extends the one and imports the
        other), otherwise the overridden letters' own. The defaults alone are the shipped
        templates, which the tests render in every variant (tests/unit/test_letters.py), so
        a folder with no overrides costs nothing at start."""
        if not self.overridden:
            return
        from templates.examples import example_letters  # examples import this module's users

        every_letter = bool(self.overridden & {LAYOUT, MACROS})
        renderer = LetterRenderer(self)
        for variant, data in example_letters().items():
            if not every_letter and f"{data.letter_id}.j2" not in self.overridden:
                continue
            try:
                renderer.document(data)
            except LetterError as error:
                raise LetterTemplateError(
                    f"{override_folder}: the example letter {variant!r} fails with these"
                    f" templates: {error.message}"
                ) from error

    def markup(self, data: LetterData) -> str:
        """The letter markup for `data` (a `LetterError` names the letter, template and line)."""
        letter_id = data.letter_id
        common = data.common
        context: dict[str, Any] = {
            "letter": data,
            "common": common,
            "trust": common.trust,
            "school": common.school,
            "addressee": common.addressee,
            "signer": common.signer,
            "head_title": str(common.school.head_title),
        }
        try:
            return self.environment.get_template(f"{letter_id}.j2").render(context)
        except (LetterError, TemplateError, TypeError, ValueError, AttributeError) as error:
            message = error.message if isinstance(error, LetterError) else str(error)
            message = message.replace("templates.context.", "")
            raise LetterError(f"{letter_id}: {_where(error, self.sources)}{message}") from error


def _where(error: BaseException, sources: Mapping[str, str]) -> str:
    """ "layout.j2 line 30, letter-2.j2 line 14: ", the template lines the error passed
    through, outermost first (a field passed to a macro fails inside the macro)."""
    frames: list[str] = []
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in sources:
            frame = f"{filename} line {tb.tb_lineno}"
            if not frames or frames[-1] != frame:
                frames.append(frame)
        tb = tb.tb_next
    if not frames and isinstance(error, TemplateSyntaxError) and error.name:
        frames.append(f"{error.name} line {error.lineno}")
    return f"{', '.join(frames)}: " if frames else ""


def _read_overrides(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        raise LetterTemplateError(f"{folder}: the letter template override folder does not exist")
    overrides: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.upper().startswith("README"):
            continue  # hidden files (editors, systems) and the folder's own notes
        if path.name not in TEMPLATE_NAMES or not path.is_file():
            raise LetterTemplateError(
                f"{path}: not a letter template name (expected one of {', '.join(TEMPLATE_NAMES)})"
            )
        try:
            overrides[path.name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise LetterTemplateError(f"{path}: cannot be read: {error}") from error
    return overrides


# --- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML references as cid:`content_id`; attach it inline with that id."""

    content_id: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class RenderedLetter:
    letter_id: str
    subject: str
    html: str
    text: str
    docx: bytes
    inline_images: tuple[InlineImage, ...]
    document: LetterDocument  # what all three were written from


LOGO_CONTENT_ID = "trust-logo"


class LetterRenderer:
    def __init__(self, templates: LetterTemplates) -> None:
        self._templates = templates

    def document(self, data: LetterData) -> LetterDocument:
        """The checked neutral document for `data` (the step every rendering shares)."""
        head_title = str(data.common.school.head_title)
        document = read_markup(self._templates.markup(data), data.letter_id)
        check_no_placeholders(document, data.letter_id, head_title)
        return document

    def render(self, data: LetterData) -> RenderedLetter:
        """The letter for `data` as HTML (with its inline logo), plain text and .docx.

        Raises `LetterError` (naming the letter, and the template line or field) rather than
        ever returning a letter with a blank or a model placeholder in it.
        """
        # python-docx is imported with the first letter, not at start: a turn that makes no
        # letter (and the start itself) does not pay for it.
        from templates.docx import write_docx

        document = self.document(data)
        trust = data.common.trust
        logo = trust.branding.logo
        images: tuple[InlineImage, ...] = ()
        if logo is not None:
            images = (InlineImage(LOGO_CONTENT_ID, logo.filename, logo.content_type, logo.data),)
        return RenderedLetter(
            letter_id=data.letter_id,
            subject=f"{document.subject} (Our ref: {data.common.reference})",
            html=write_html(document, trust.branding, LOGO_CONTENT_ID if logo else None),
            text=write_text(document),
            docx=write_docx(
                document, trust.branding, author=trust.name, letter_date=data.common.letter_date
            ),
            inline_images=images,
            document=document,
        )
