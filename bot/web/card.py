"""Share cards: the picture a link preview shows for an archive page with no video of its own. Pure."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
BACKGROUND = (23, 63, 95)
ACCENT = (246, 213, 92)
INK = (255, 255, 255)
MUTED = (200, 214, 229)
MARGIN = 72

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


# Debian's DejaVu covers far more scripts than Pillow's built-in font, which is the fallback.
SYSTEM_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@lru_cache(maxsize=8)
def _font(size: int) -> Font:
    try:
        return ImageFont.truetype(SYSTEM_FONT, size)
    except OSError:
        return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, lines: int) -> list[str]:
    """``text`` broken into at most ``lines`` lines no wider than ``width`` (the last one cut short)."""
    words, wrapped, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
            continue
        wrapped.append(current)
        current = word
    if current:
        wrapped.append(current)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1].rstrip(".,;: ") + "…"
    return wrapped


@lru_cache(maxsize=64)
def render_card(kicker: str, title: str, detail: str) -> bytes:
    """A 1200×630 PNG (the size OpenGraph and Twitter cards expect) with three lines of text.

    >>> render_card("#fliplead", "Exemplars, 17–23 November 2026", "3 videos, 2 tools")[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    draw.text((MARGIN, MARGIN), kicker, font=_font(44), fill=ACCENT)
    y = MARGIN + 110
    for line in _wrap(draw, title, _font(68), WIDTH - 2 * MARGIN, 4):
        draw.text((MARGIN, y), line, font=_font(68), fill=INK)
        y += 86
    draw.text((MARGIN, HEIGHT - MARGIN - 40), detail, font=_font(38), fill=MUTED)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
