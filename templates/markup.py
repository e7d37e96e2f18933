"""Letter markup: what the Jinja templates produce, and the neutral document it is read into.

The templates write a small, strict subset of HTML. The HTML, plain-text and .docx
renderings are all written from the one `LetterDocument` read from it, so they cannot drift.

    <subject>…</subject>                     the email subject (inline text only)
    <letterhead> <reference> <recipient>    regions, each once, in this order, holding
    <content> <footer>                       blocks:
        <p> (optionally class="sign": the signature lines) · <h2> · <ul><li>…</li></ul>
    inside a block: text, <b>, <i>, <br>, and <v> (see below)

Every value a template prints is wrapped in `<v>…</v>` by the environment (see
`render.py`), so the document knows which text came from the letter data and which from
the template. The placeholder check looks only at the template's own text: a user's
"and/or" is fine; a template's "Headteacher/Principal" is not. Text is escaped before it
gets here, so a user's "<script>" arrives as text, never as a tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

from templates.errors import LetterError

BlockKind = Literal["paragraph", "heading", "bullet"]

REGIONS = ("letterhead", "reference", "recipient", "content", "footer")
_BLOCKS = {"p": "paragraph", "h2": "heading", "li": "bullet"}
_INLINE = {"b", "i", "v"}
_DATA_MARK = "\ufffc"  # stands for data in the text the placeholder check reads


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting. A line break is a run whose text is "\\n"."""

    text: str
    bold: bool = False
    italic: bool = False
    data: bool = False  # came from the letter data, not from the template


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    runs: tuple[Run, ...]
    sign: bool = False  # one of the signature lines (space to sign above the first)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class LetterDocument:
    subject: str
    letterhead: tuple[Block, ...]
    reference: tuple[Block, ...]
    recipient: tuple[Block, ...]
    content: tuple[Block, ...]
    footer: tuple[Block, ...]
    subject_runs: tuple[Run, ...] = ()

    @property
    def regions(self) -> tuple[tuple[str, tuple[Block, ...]], ...]:
        return tuple((name, getattr(self, name)) for name in REGIONS)

    def paragraphs(self) -> tuple[str, ...]:
        """Every block's text in reading order: what each rendering must show."""
        return tuple(block.text for _, blocks in self.regions for block in blocks)


class _Reader(HTMLParser):
    def __init__(self, letter_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self._letter_id = letter_id
        self.regions: dict[str, list[Block]] = {}
        self.subject: list[Run] | None = None
        self._region: str | None = None
        self._in_subject = False
        self._in_list = False
        self._block: BlockKind | None = None
        self._sign = False
        self._runs: list[Run] = []
        self._bold = 0
        self._italic = 0
        self._data = 0

    def _fail(self, problem: str) -> LetterError:
        line, _ = self.getpos()
        return LetterError(f"{self._letter_id}: the template's markup {problem} (line {line})")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if attrs and not (tag == "p" and attrs == [("class", "sign")]):
            raise self._fail(f"has attributes on <{tag}>, which letter markup does not allow")
        if tag == "subject":
            if self._region or self._in_subject or self.subject is not None:
                raise self._fail("has a misplaced or second <subject>")
            self._in_subject = True
            self._runs = []
        elif tag in REGIONS:
            if self._region or self._in_subject or tag in self.regions:
                raise self._fail(f"has a misplaced or second <{tag}>")
            self._region = tag
            self.regions[tag] = []
        elif tag == "ul":
            if self._region is None or self._block or self._in_list:
                raise self._fail("has a <ul> outside a region or inside a block")
            self._in_list = True
        elif tag in _BLOCKS:
            kind = _BLOCKS[tag]
            if self._region is None or self._block:
                raise self._fail(f"has a <{tag}> outside a region or inside another block")
            if (kind == "bullet") != self._in_list:
                raise self._fail("has a <li> outside a <ul>, or a block directly in a <ul>")
            self._block = kind  # type: ignore[assignment]
            self._sign = bool(attrs)
            self._runs = []
        elif tag == "br":
            if not (self._block or self._in_subject):
                raise self._fail("has a <br> outside a block")
            self._runs.append(Run("\n"))
        elif tag in _INLINE:
            if not (self._block or self._in_subject):
                raise self._fail(f"has a <{tag}> outside a block")
            if tag == "b":
                self._bold += 1
            elif tag == "i":
                self._italic += 1
            else:
                self._data += 1
        else:
            raise self._fail(f"has <{tag}>, which letter markup does not allow")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "br":
            raise self._fail(f"has a self-closing <{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "subject" and self._in_subject:
            self.subject = self._runs
            self._runs = []
            self._in_subject = False
        elif tag in REGIONS and self._region == tag and not self._block and not self._in_list:
            self._region = None
        elif tag == "ul" and self._in_list and not self._block:
            self._in_list = False
        elif tag in _BLOCKS and self._block == _BLOCKS[tag] and self._region:
            runs = _normalise(self._runs)
            if runs:
                self.regions[self._region].append(Block(self._block, runs, sign=self._sign))
            self._block = None
            self._sign = False
            self._runs = []
        elif tag == "b" and self._bold:
            self._bold -= 1
        elif tag == "i" and self._italic:
            self._italic -= 1
        elif tag == "v" and self._data:
            self._data -= 1
        elif tag == "br":
            return
        else:
            raise self._fail(f"has a </{tag}> that closes nothing open")

    def handle_data(self, data: str) -> None:
        if self._block or self._in_subject:
            self._runs.append(
                Run(data, bold=self._bold > 0, italic=self._italic > 0, data=self._data > 0)
            )
        elif data.strip():
            raise self._fail(f"has text outside a block: {data.strip()[:40]!r}")

    def handle_comment(self, data: str) -> None:
        raise self._fail("has an HTML comment (use a Jinja comment {# … #})")

    def handle_decl(self, decl: str) -> None:
        raise self._fail("has a declaration")

    def handle_pi(self, data: str) -> None:
        raise self._fail("has a processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise self._fail("has a declaration")


_SPACE = re.compile(r"\s+")


def _normalise(runs: list[Run]) -> tuple[Run, ...]:
    """Collapse whitespace as HTML does, trim each line, and merge runs alike."""
    out: list[Run] = []
    at_line_start = True
    for run in runs:
        if run.text == "\n":
            if out and out[-1].text != "\n":
                last = out[-1]
                out[-1] = Run(last.text.rstrip(" "), last.bold, last.italic, last.data)
            out.append(run)
            at_line_start = True
            continue
        text = _SPACE.sub(" ", run.text)
        if at_line_start or (out and out[-1].text.endswith(" ")):
            text = text.lstrip(" ")
        if not text:
            continue
        at_line_start = False
        if (
            out
            and out[-1].text != "\n"
            and (out[-1].bold, out[-1].italic, out[-1].data)
            == (
                run.bold,
                run.italic,
                run.data,
            )
        ):
            last = out[-1]
            out[-1] = Run(last.text + text, last.bold, last.italic, last.data)
        else:
            out.append(Run(text, run.bold, run.italic, run.data))
    while out and out[-1].text == "\n":
        out.pop()
    while out and out[0].text == "\n":
        out.pop(0)
    if out:
        last = out[-1]
        out[-1] = Run(last.text.rstrip(" "), last.bold, last.italic, last.data)
        if not out[-1].text:
            out.pop()
    return tuple(out)


def read_markup(markup: str, letter_id: str) -> LetterDocument:
    """Read the templates' output into a `LetterDocument`; any markup outside the subset,
    or a missing region, is a `LetterError` naming the letter."""
    reader = _Reader(letter_id)
    reader.feed(markup)
    reader.close()
    if reader._region or reader._in_subject or reader._block:
        raise LetterError(f"{letter_id}: the template's markup leaves an element open")
    missing = [name for name in REGIONS if name not in reader.regions]
    if reader.subject is None:
        missing.insert(0, "subject")
    if missing:
        raise LetterError(f"{letter_id}: the letter has no {', '.join(missing)}")
    order = [name for name in reader.regions]
    if order != list(REGIONS):
        raise LetterError(f"{letter_id}: the regions must come in the order {', '.join(REGIONS)}")
    subject_runs = _normalise(reader.subject or [])
    subject = "".join(run.text for run in subject_runs).replace("\n", " ")
    if not subject:
        raise LetterError(f"{letter_id}: the letter's subject is empty")
    for name in ("content",):
        if not reader.regions[name]:
            raise LetterError(f"{letter_id}: the letter's {name} is empty")
    return LetterDocument(
        subject=subject,
        subject_runs=subject_runs,
        **{name: tuple(reader.regions[name]) for name in REGIONS},
    )


# --- the placeholder check -----------------------------------------------------------------

MODEL_PLACEHOLDERS: tuple[str, ...] = (
    "(enter date and time or details)",
    "(enter date and time)",
    "[name of school]",
    "(date)",
    "(name of staff)",
    "(name)",
    "(delete as appropriate)",
    "(Other as are reasonable and proportionate)",
    "(Any other condition imposed)",
    "(Copy conditions from HT's letter)",
    "(add summary of incident and its effect on staff and pupils)",
    "(Add factual summary",
    "(email address)",
    "(school address)",
    "(and your letter)",
    "*amend as appropriate*",
    "parents should be given 10 school (working) days to respond",
    "(sent by",
    "Headteacher/Principal",
    "parent/carer",
    "you/I have received",
    "conditions/ban",
    "staff/pupils",
    "letter dated,",
)
"""The model letters' form text, none of which may reach a letter."""

_PLACEHOLDER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[[^\]]*\]"), "square-bracketed form text"),
    (re.compile(r"\*[^*]*\*"), "starred form text"),
    (re.compile(r"\w\s*/\s*\w"), 'a "/" alternative'),
    (re.compile(r"^\s*OR\s*$"), 'a line "OR"'),
    (re.compile(r"^\s*Dear\s*$"), '"Dear" with no name'),
    (re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"), "template syntax"),
    (re.compile(r"\bNone\b|\bUndefined\b"), "an unfilled field"),
)


def placeholder_problems(text: str, head_title: str | None = None) -> list[str]:
    """What in `text` is model form text left unfilled (empty when nothing is).

    `head_title` is the school's title for its head: the other title must not appear.
    """
    problems = [f"{p!r}" for p in MODEL_PLACEHOLDERS if p.lower() in text.lower()]
    for line in text.split("\n"):
        for pattern, what in _PLACEHOLDER_PATTERNS:
            match = pattern.search(line)
            if match:
                problems.append(f"{what} ({match.group(0).strip()!r})")
    if head_title is not None:
        other = {"Headteacher": "Principal", "Principal": "Headteacher"}.get(head_title)
        if other and re.search(rf"\b{other}\b", text):
            problems.append(f'"{other}", but the school\'s head is its {head_title}')
    return problems


def check_no_placeholders(document: LetterDocument, letter_id: str, head_title: str) -> None:
    """Refuse a letter whose template text still holds model form text. Text that came
    from the letter data is masked: a parent's "and/or" is not a placeholder."""
    texts = ["".join(_DATA_MARK if run.data else run.text for run in document.subject_runs)]
    for _, blocks in document.regions:
        texts.extend(
            "".join(_DATA_MARK if run.data else run.text for run in block.runs) for block in blocks
        )
    problems = []
    for text in texts:
        problems.extend(placeholder_problems(text, head_title))
    if problems:
        found = "; ".join(sorted(set(problems)))
        raise LetterError(f"{letter_id}: the letter still holds model form text: {found}")
