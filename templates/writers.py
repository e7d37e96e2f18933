"""The HTML and plain-text renderings of a `LetterDocument`.

The HTML is written for Outlook (whose Word engine ignores most CSS): layout by tables,
every style inline, no <style>, no script, no external resource; the logo is the only
image and is referenced as cid: (sent as an inline attachment).
"""

from __future__ import annotations

import struct
from html import escape

from templates.context import Branding, Logo
from templates.markup import Block, LetterDocument, Run

_FONT = "font-family:Arial,Helvetica,sans-serif;"
_INK = "#1F2933"
_MUTED = "#5F6B76"
_PAGE = "#F4F5F7"
_TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"'
_LOGO_WIDTH = 96  # pixels in the email; the .docx uses its own size


def image_size(logo: Logo) -> tuple[int, int] | None:
    """Pixel width and height of a PNG, GIF or baseline JPEG (None when unreadable)."""
    data = logo.data
    if logo.content_type == "image/png" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if logo.content_type == "image/gif" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if logo.content_type == "image/jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return None


def logo_pixels(logo: Logo) -> tuple[int, int]:
    """The logo's size in the email: 96 pixels wide, height in proportion."""
    size = image_size(logo)
    if size is None or size[0] == 0:
        return _LOGO_WIDTH, _LOGO_WIDTH
    width, height = size
    return _LOGO_WIDTH, max(1, round(height * _LOGO_WIDTH / width))


# --- HTML -----------------------------------------------------------------------------------


def _runs_html(runs: tuple[Run, ...]) -> str:
    parts = []
    for run in runs:
        if run.text == "\n":
            parts.append("<br>")
            continue
        text = escape(run.text, quote=True)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


def _blocks_html(blocks: tuple[Block, ...], style: str, primary: str) -> str:
    out: list[str] = []
    in_list = False
    for index, block in enumerate(blocks):
        if block.kind == "bullet" and not in_list:
            out.append('<ul style="margin:0 0 14px 0;padding:0 0 0 24px;">')
            in_list = True
        elif block.kind != "bullet" and in_list:
            out.append("</ul>")
            in_list = False
        body = _runs_html(block.runs)
        if block.kind == "bullet":
            out.append(f'<li style="margin:0 0 6px 0;{style}">{body}</li>')
        elif block.kind == "heading":
            out.append(
                f'<h2 style="margin:0 0 14px 0;{_FONT}font-size:16px;line-height:22px;'
                f'font-weight:bold;color:{primary};">{body}</h2>'
            )
        else:
            margin = "0 0 14px 0"
            if block.sign:
                first = index == 0 or not blocks[index - 1].sign
                last = index + 1 == len(blocks) or not blocks[index + 1].sign
                margin = f"{'36px' if first else '0'} 0 {'14px' if last else '0'} 0"
            out.append(f'<p style="margin:{margin};{style}">{body}</p>')
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def _lines_html(blocks: tuple[Block, ...], style: str) -> str:
    return "\n".join(f'<p style="margin:0;{style}">{_runs_html(b.runs)}</p>' for b in blocks)


def write_html(document: LetterDocument, branding: Branding, logo_cid: str | None) -> str:
    primary = branding.primary_colour
    accent = branding.accent_colour
    body_style = f"{_FONT}font-size:15px;line-height:22px;color:{_INK};"
    small = f"{_FONT}font-size:13px;line-height:19px;color:{_INK};"
    head_blocks = document.letterhead
    letterhead = ""
    if head_blocks:
        first = head_blocks[0]
        letterhead = (
            f'<p style="margin:0 0 4px 0;{_FONT}font-size:19px;line-height:24px;'
            f'font-weight:bold;color:{primary};">{_runs_html(first.runs)}</p>\n'
            + _lines_html(
                head_blocks[1:], f"{_FONT}font-size:13px;line-height:18px;color:{_MUTED};"
            )
        )
    logo_cell = ""
    if logo_cid is not None and branding.logo is not None:
        width, height = logo_pixels(branding.logo)
        logo_cell = (
            f'<td valign="top" width="{width}" style="padding:0 16px 0 0;">'
            f'<img src="cid:{escape(logo_cid, quote=True)}" width="{width}" height="{height}"'
            f' alt="" style="display:block;border:0;outline:none;"></td>\n'
        )
    sheet = f"width:640px;max-width:640px;background-color:#FFFFFF;border-top:6px solid {primary};"
    footer = _lines_html(document.footer, f"{_FONT}font-size:11px;line-height:16px;color:{_MUTED};")
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(document.subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:{_PAGE};">
<table {_TABLE} width="100%" style="background-color:{_PAGE};">
<tr>
<td align="center" style="padding:24px 8px;">
<table {_TABLE} width="640" style="{sheet}">
<tr>
<td style="padding:24px 32px 16px 32px;">
<table {_TABLE} width="100%">
<tr>
{logo_cell}<td valign="top" align="right" style="text-align:right;">
{letterhead}
</td>
</tr>
</table>
</td>
</tr>
<tr>
<td style="padding:8px 32px 0 32px;">
{_lines_html(document.reference, small)}
</td>
</tr>
<tr>
<td style="padding:20px 32px 0 32px;">
{_lines_html(document.recipient, small)}
</td>
</tr>
<tr>
<td style="padding:28px 32px 12px 32px;">
{_blocks_html(document.content, body_style, primary)}
</td>
</tr>
<tr>
<td style="padding:0 32px 24px 32px;">
<table {_TABLE} width="100%">
<tr>
<td style="border-top:2px solid {accent};padding:12px 0 0 0;">
{footer}
</td>
</tr>
</table>
</td>
</tr>
</table>
</td>
</tr>
</table>
</body>
</html>
"""


# --- plain text -----------------------------------------------------------------------------


def _runs_text(runs: tuple[Run, ...], indent: str = "") -> str:
    return "".join(("\n" + indent) if run.text == "\n" else run.text for run in runs)


def write_text(document: LetterDocument) -> str:
    """The plain-text alternative: the same paragraphs, one per line or paragraph, no
    hard wrapping (mail clients wrap)."""
    sections = [
        "\n".join(_runs_text(b.runs) for b in document.letterhead),
        "\n".join(_runs_text(b.runs) for b in document.reference),
        "\n".join(_runs_text(b.runs) for b in document.recipient),
    ]
    content: list[str] = []
    previous: Block | None = None
    for block in document.content:
        if block.kind == "bullet":
            text = "- " + _runs_text(block.runs, "  ")
        else:
            text = _runs_text(block.runs)
        if previous is not None:
            tight = (block.kind == "bullet" and previous.kind == "bullet") or (
                block.sign and previous.sign
            )
            content.append("\n" if tight else "\n\n")
        content.append(text)
        previous = block
    sections.append("".join(content))
    sections.append("\n".join(_runs_text(b.runs) for b in document.footer))
    return "\n\n".join(s for s in sections if s) + "\n"
