"""Accessibility checks with axe-core (from node_modules), run inside the page under test."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@cache
def _axe_source() -> str:
    return AXE.read_text()


def violations(page: Any, impacts: set[str] = SERIOUS) -> list[dict[str, Any]]:
    """axe's WCAG 2.1 A/AA violations of at least the given impact on the current page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())  # evaluated through the debugger, so the page's CSP does not apply
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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


def assert_accessible(page: Any) -> None:
    found = violations(page)
    assert not found, f"axe found serious accessibility violations on {page.url}: {found}"
