"""The Teams app's two icons, drawn here and written as PNG with the standard library only.

Teams asks for a colour icon of 192×192 pixels (the shield on a solid square) and an
outline icon of 32×32 pixels: white on a transparent background, nothing else. Both are
drawn from one shape, a shield with a doorway cut out (safe premises), sampled 4×4 times
per pixel so that its edges are smooth. `python -m teamsapp icons` writes them into
`infra/appPackage/`; a test checks that the committed files are what this code draws.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

COLOR_SIZE = 192
OUTLINE_SIZE = 32
COLOR_BACKGROUND = (0x1F, 0x4E, 0x79)  # the example trust's primary colour
WHITE = (255, 255, 255)
_SAMPLES = 4  # per pixel side: 16 samples a pixel

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Shape = Callable[[float, float], bool]  # (x, y) in the unit square, y downwards


def _in_shield(x: float, y: float) -> bool:
    """A shield: straight sides down to 55% of its height, then curving to a point."""
    top, shoulder, bottom = 0.12, 0.52, 0.92
    half_width = 0.36
    if not top <= y <= bottom:
        return False
    if y <= shoulder:
        width = half_width
    else:
        t = (y - shoulder) / (bottom - shoulder)
        width = half_width * (1.0 - t * t) ** 0.5
    return abs(x - 0.5) <= width


def _in_doorway(x: float, y: float) -> bool:
    """A doorway with a round top, in the middle of the shield."""
    half_width, top, bottom = 0.11, 0.36, 0.74
    if abs(x - 0.5) > half_width or y > bottom:
        return False
    arch_centre = top + half_width
    if y >= arch_centre:
        return True
    return (x - 0.5) ** 2 + (y - arch_centre) ** 2 <= half_width**2


def _emblem(x: float, y: float) -> bool:
    return _in_shield(x, y) and not _in_doorway(x, y)


def _coverage(shape: Shape, size: int) -> list[list[float]]:
    """For each pixel, the share of its samples inside `shape` (0.0 to 1.0)."""
    rows: list[list[float]] = []
    step = 1.0 / (size * _SAMPLES)
    for row in range(size):
        values: list[float] = []
        for column in range(size):
            inside = 0
            for sy in range(_SAMPLES):
                y = (row * _SAMPLES + sy + 0.5) * step
                for sx in range(_SAMPLES):
                    x = (column * _SAMPLES + sx + 0.5) * step
                    inside += shape(x, y)
            values.append(inside / (_SAMPLES * _SAMPLES))
        rows.append(values)
    return rows


def png_rgba(pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """A PNG (8-bit RGBA, no interlace) of `pixels`, rows top to bottom."""
    height = len(pixels)
    width = len(pixels[0]) if height else 0
    raw = b"".join(
        b"\x00" + b"".join(struct.pack("BBBB", *pixel) for pixel in row) for row in pixels
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def outline_icon() -> bytes:
    """32×32: the emblem in white, everything else fully transparent."""
    coverage = _coverage(_emblem, OUTLINE_SIZE)
    return png_rgba([[(*WHITE, round(255 * c)) for c in row] for row in coverage])


def color_icon(background: tuple[int, int, int] = COLOR_BACKGROUND) -> bytes:
    """192×192: the white emblem on a solid square of `background`, fully opaque."""
    coverage = _coverage(_emblem, COLOR_SIZE)

    def mix(c: float) -> tuple[int, int, int, int]:
        r, g, b = (round(bg + (fg - bg) * c) for fg, bg in zip(WHITE, background, strict=True))
        return (r, g, b, 255)

    return png_rgba([[mix(c) for c in row] for row in coverage])
