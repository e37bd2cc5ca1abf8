"""axe-core accessibility scans in the browser tests: axe.min.js from the npm package in
tests/support/node_modules (installed by `make emulator`), added to every frame of a browser context."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

_RUN = """async () => {
  const result = await window.axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary)
  }));
}"""


def add_axe(context) -> None:
    """Make axe-core available in every page and frame the context opens (before the page's own scripts,
    through the browser, so the pages' Content-Security-Policy stays as served). Fails under CI when the
    package is missing, skips elsewhere."""
    if not AXE.exists():
        message = "axe-core is not installed (make emulator installs it into tests/support/node_modules)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    context.add_init_script(path=str(AXE))


def serious_violations(frame) -> list[dict]:
    """The serious and critical axe-core violations of a page or frame as it is now."""
    return frame.evaluate(_RUN)
