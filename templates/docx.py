"""The .docx rendering of a `LetterDocument`, for printing or posting.

The letterhead (logo beside the school's details) sits in the first page's header and the
company statement in the footer of every page, as on headed paper; the body holds the
reference, the addressee and the letter, paragraph for paragraph as in the HTML.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from templates.context import Branding
from templates.markup import Block, LetterDocument, Run

_INK = RGBColor(0x1F, 0x29, 0x33)
_MUTED = RGBColor(0x5F, 0x6B, 0x76)


def _colour(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _add_runs(paragraph: Any, runs: tuple[Run, ...], colour: RGBColor | None = None) -> None:
    for run in runs:
        if run.text == "\n":
            (paragraph.runs[-1] if paragraph.runs else paragraph.add_run()).add_break()
            continue
        added = paragraph.add_run(run.text)
        added.bold = run.bold or None
        added.italic = run.italic or None
        if colour is not None:
            added.font.color.rgb = colour


def _tight(paragraph: Any, after: float = 0) -> None:
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)


def write_docx(
    document: LetterDocument, branding: Branding, *, author: str, letter_date: date
) -> bytes:
    doc = Document()
    # Fixed metadata (no clock): the letter's own date, the trust as author.
    props = doc.core_properties
    props.title = document.subject
    props.author = author
    props.last_modified_by = author
    props.created = datetime(letter_date.year, letter_date.month, letter_date.day, tzinfo=UTC)
    props.modified = props.created
    props.revision = 1

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.font.color.rgb = _INK
    normal.paragraph_format.space_after = Pt(8)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1), Cm(1)
    section.different_first_page_header_footer = True

    primary = _colour(branding.primary_colour)
    header = section.first_page_header
    table = header.add_table(1, 2, Cm(16.6))
    logo_cell, text_cell = table.rows[0].cells
    logo_cell.width, text_cell.width = Cm(3.4), Cm(13.2)
    if branding.logo is not None:
        logo_paragraph = logo_cell.paragraphs[0]
        logo_paragraph.add_run().add_picture(BytesIO(branding.logo.data), width=Cm(2.6))
    for index, block in enumerate(document.letterhead):
        paragraph = text_cell.paragraphs[0] if index == 0 else text_cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _tight(paragraph)
        if index == 0:
            _add_runs(paragraph, block.runs, primary)
            for run in paragraph.runs:
                run.font.size = Pt(15)
                run.bold = True
        else:
            _add_runs(paragraph, block.runs, _MUTED)
            for run in paragraph.runs:
                run.font.size = Pt(9.5)

    for footer in (section.first_page_footer, section.footer):
        for index, block in enumerate(document.footer):
            paragraph = footer.paragraphs[0] if index == 0 else footer.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _tight(paragraph)
            _add_runs(paragraph, block.runs, _MUTED)
            for run in paragraph.runs:
                run.font.size = Pt(8)

    body_paragraphs = doc.paragraphs
    first = body_paragraphs[0] if body_paragraphs else None  # the template's empty paragraph

    def paragraph_for(style: str | None = None) -> Any:
        nonlocal first
        if first is not None:
            paragraph, first = first, None
            if style:
                paragraph.style = doc.styles[style]
            return paragraph
        return doc.add_paragraph(style=style)

    for blocks in (document.reference, document.recipient):
        for index, block in enumerate(blocks):
            paragraph = paragraph_for()
            _tight(paragraph, 14 if index == len(blocks) - 1 else 0)
            _add_runs(paragraph, block.runs)

    for index, block in enumerate(document.content):
        _content_paragraph(paragraph_for, block, document.content, index, primary)

    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _content_paragraph(
    paragraph_for: Any, block: Block, blocks: tuple[Block, ...], index: int, primary: RGBColor
) -> None:
    if block.kind == "bullet":
        paragraph = paragraph_for("List Bullet")
        _tight(paragraph, 4)
        if index + 1 == len(blocks) or blocks[index + 1].kind != "bullet":
            paragraph.paragraph_format.space_after = Pt(8)
        _add_runs(paragraph, block.runs)
        return
    paragraph = paragraph_for()
    if block.kind == "heading":
        _add_runs(paragraph, block.runs, primary)
        for run in paragraph.runs:
            run.bold = True
        return
    if block.sign:
        first_line = index == 0 or not blocks[index - 1].sign
        paragraph.paragraph_format.space_before = Pt(30 if first_line else 0)
        is_last = index + 1 == len(blocks) or not blocks[index + 1].sign
        paragraph.paragraph_format.space_after = Pt(8 if is_last else 0)
    _add_runs(paragraph, block.runs)
