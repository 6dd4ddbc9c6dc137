"""axe-core runs and keyboard checks, with failures printed for a person to read."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what KWCAG 2.2 and WCAG 2.2 AA ask for.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def axe_violations(page: Page) -> list[dict]:
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def axe_colour_contrast(page: Page) -> tuple[int, list[dict]]:
    """How many elements axe's color-contrast rule measured, and its violations."""
    results = _axe.run(
        page, options={"runOnly": {"type": "rule", "values": ["color-contrast"]}}
    ).response
    measured = sum(len(rule["nodes"]) for rule in results["passes"] + results["violations"])
    return measured, results["violations"]


def describe_violations(where: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {', '.join(map(str, node['target']))}: {summary}")
            lines.append(f"       {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


# Styles that can show focus. Compared for each control unfocused and focused by Tab.
_FOCUS_STYLE_JS = """
el => {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
          s.color, s.textDecorationLine, s.borderColor, s.borderWidth].join('|');
}
"""

_CONTROLS_JS = (
    """
() => {
  const style = """
    + _FOCUS_STYLE_JS
    + """;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
                 + '[tabindex]:not([tabindex="-1"])';
  const shown = el => {
    const s = getComputedStyle(el);
    return !el.disabled && s.display !== 'none' && s.visibility !== 'hidden'
           && el.getClientRects().length > 0 && !el.closest('[hidden], [inert]');
  };
  const controls = [...document.querySelectorAll(selector)].filter(shown);
  window.__e2eUnfocused = new Map(controls.map(el => [el, style(el)]));
  controls.forEach((el, i) => el.setAttribute('data-e2e-control', String(i)));
  return controls.length;
}
"""
)

_FOCUSED_JS = (
    """
() => {
  const style = """
    + _FOCUS_STYLE_JS
    + """;
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const inView = r.width >= 1 && r.height >= 1 && r.bottom > 0 && r.right > 0
                 && r.top < innerHeight && r.left < innerWidth;
  const before = window.__e2eUnfocused.get(el);
  return {
    id: el.getAttribute('data-e2e-control'),
    label: (el.outerHTML || '').slice(0, 120),
    inView,
    styleChanges: before !== undefined && before !== style(el),
  };
}
"""
)


def tab_through(page: Page) -> tuple[int, list[dict]]:
    """Press Tab until focus leaves the page or comes round again.

    Returns the number of focusable controls on the page and what each Tab focused.
    """
    count = page.evaluate(_CONTROLS_JS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    stops: list[dict] = []
    seen: set[str | None] = set()
    for _ in range(count + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED_JS)
        if focused is None or focused["id"] in seen:
            if stops:
                break
            continue
        seen.add(focused["id"])
        stops.append(focused)
    return count, stops
