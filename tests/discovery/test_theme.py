"""Dark mode keeps the contrast: every text/background pair of both palettes reaches WCAG AA
(4.5:1), computed from the CSS custom properties themselves (site.css's light palette, overridden
by theme.css's; theme.css's dark palette under ``prefers-color-scheme: dark``)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CSS = Path(settings.BASE_DIR) / "static" / "css"

# (text, background): each pair the stylesheets actually put together.
PAIRS = [
    ("ink", "bg"), ("ink", "card"), ("ink", "soft"), ("ink", "field"),
    ("muted", "bg"), ("muted", "card"), ("muted", "soft"),
    ("brand", "bg"), ("brand", "card"), ("brand", "soft"), ("brand-dark", "card"),
    ("on-brand", "brand"), ("on-brand", "brand-dark"), ("on-brand", "err"),
    ("ok", "ok-bg"), ("err", "err-bg"), ("warn", "warn-bg"),
    ("ink", "ok-bg"), ("ink", "err-bg"), ("ink", "warn-bg"),
    ("mark-ink", "mark"), ("bg", "ink"),
]  # fmt: skip


def properties(block: str) -> dict[str, str]:
    return {m[1]: m[2].lower() for m in re.finditer(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block)}


def root_block(css: str) -> str:
    return re.search(r":root\s*\{(.*?)\}", css, re.S)[1]


def palettes() -> dict[str, dict[str, str]]:
    site = (CSS / "site.css").read_text()
    theme = (CSS / "theme.css").read_text()
    light = {**properties(root_block(site)), **properties(root_block(theme))}
    dark_media = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{(.*)", theme, re.S)[1]
    dark = {**light, **properties(root_block(dark_media))}
    return {"light": light, "dark": dark}


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("text, background", PAIRS)
def test_every_pair_reaches_aa(scheme, text, background):
    palette = palettes()[scheme]
    ratio = contrast(palette[text], palette[background])
    assert ratio >= 4.5, f"{scheme}: --{text} on --{background} is {ratio:.2f}:1"


def test_the_dark_palette_really_is_dark_and_complete():
    light, dark = palettes()["light"], palettes()["dark"]
    assert luminance(dark["bg"]) < 0.05 < luminance(light["bg"])
    overridden = {name for name in light if dark[name] != light[name]}
    assert {"ink", "muted", "bg", "soft", "card", "brand", "on-brand", "err", "ok"} <= overridden


def test_every_page_loads_the_theme(db):
    html = Client().get("/").content.decode()
    assert "css/theme.css" in html
