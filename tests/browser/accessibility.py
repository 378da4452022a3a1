"""axe-core in a real Chromium: run the vendored copy (tests/browser/vendor, never served by the app)
over the page a browser shows now, and describe what it found so an assertion message names each
violation by page, rule, impact and element."""

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("critical", "serious")  # WCAG failures that keep a duty officer from doing the job


@cache
def axe_source() -> str:
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy (script-src
    # 'self', no inline scripts) does not govern; a <script> tag with this text would be refused.
    return AXE.read_text() + "\n;true"


def violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default, WCAG 2.2 A and
    AA and its best practices), each with its rule, impact, help and the elements it failed on."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                // Each element with the first reason axe gives (for contrast: the ratio and both colours).
                targets: v.nodes.map((node) => {
                    const reason = [...node.none, ...node.all, ...node.any].map((check) => check.message)[0];
                    return node.target.join(" ") + (reason ? " (" + reason + ")" : "");
                }),
            }));
        }"""
    )


def blocking(found: list[dict]) -> list[dict]:
    return [violation for violation in found if violation["impact"] in BLOCKING]


def described(where: str, found: list[dict]) -> list[str]:
    """One line per violation and element: `where: rule (impact) at target (reason) — help`."""
    return [
        f"{where}: {violation['id']} ({violation['impact']}) at {target} — {violation['help']}"
        for violation in found
        for target in violation["targets"]
    ]
