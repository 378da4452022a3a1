"""The night theme's palette stands twice in console.css (for "auto" under prefers-color-scheme and for
an explicit "dark"): the two must say the same, or a person's choice and their system's would differ."""

import re

from tests.conftest import ROOT

CSS = ROOT / "hotline/console/static/console/console.css"


def declarations(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+|color-scheme)\s*:\s*([^;]+);", block))


def test_the_dark_palette_is_the_same_whether_the_system_or_the_person_chose_it():
    css = CSS.read_text()
    automatic = re.search(r':root:not\(\[data-theme="light"\]\)\s*\{([^}]*)\}', css)[1]
    chosen = re.search(r':root\[data-theme="dark"\]\s*\{([^}]*)\}', css)[1]
    light = re.search(r":root\s*\{([^}]*)\}", css)[1]
    assert declarations(automatic) == declarations(chosen)
    assert declarations(chosen).keys() == declarations(light).keys(), "every colour has its night value"
