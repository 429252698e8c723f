"""Accessibility checks with axe-core (from node_modules), run inside the page under test."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}
MODERATE = {"moderate", *SERIOUS}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _axe_source() -> str:
    return AXE.read_text()


def violations(page: Any, impacts: set[str] = SERIOUS, tags: list[str] = WCAG) -> list[dict[str, Any]]:
    """axe's violations of the rules with these tags (WCAG 2.1 A/AA), of the given impacts, on the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())  # evaluated through the debugger, so the page's CSP does not apply
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page: Any, *, moderate: bool = False) -> None:
    """No serious violation of WCAG 2.1 A/AA; with `moderate`, none of moderate impact either, best
    practices included (such as landmark-unique: two landmarks with one name)."""
    found = violations(page, MODERATE, [*WCAG, "best-practice"]) if moderate else violations(page)
    assert not found, f"axe found accessibility violations on {page.url}: {found}"
