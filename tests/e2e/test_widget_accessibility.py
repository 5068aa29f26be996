"""The thread widget for every reader: dark theme, keyboard only, and a narrow notebook.

Issue 4 asks the widget to follow JupyterLab's theme (light and dark), to be reachable
and usable from the keyboard, and to stay readable at notebook width. These tests check
what a user would notice: computed colours and their contrast, where Tab goes and what
Enter does, and whether anything spills sideways out of the cell.
"""

import pytest
from playwright.sync_api import expect
from test_widget_flows import ENGINE_IMPORTS, REVIEW_GRAPH, SHOW, kernel_thread

pytestmark = pytest.mark.browser

THEMES_SETTINGS = "/lab/api/settings/@jupyterlab/apputils-extension:themes"

#: Elements whose text a reader must be able to read, as (label, selector inside the
#: widget, contrast the text needs: WCAG AA for body text).
TEXT_SAMPLES = [
    ("widget", ":scope", 4.5),
    ("interrupt heading", "[data-testid='interrupt-panel'] h3", 4.5),
    ("option button", "[data-testid='interrupt-option-0-0']", 4.5),
    ("state editor", "[data-testid='state-json']", 4.5),
    ("timeline row", "[data-testid='history-row'] .hn-writers", 4.5),
    ("muted label", "[data-testid='state-title']", 4.5),
    ("status badge", "[data-testid='status']", 4.5),
    ("interrupt count", "[data-testid='history-row'] .hn-badge-interrupt", 4.5),
    ("Send button", "[data-testid='interrupt-submit']", 4.5),
]
#: Samples drawn inverted on purpose (text on the accent colour), so exempt from "text is
#: lighter than its background in the dark theme".
INVERTED = {"Send button"}

#: Computed colours of each sample: text colour and the colour actually behind it (the
#: first non-transparent background up the tree), plus the diagram's node label on the
#: node's own fill, since SVG text is painted with `fill`, not `color`.
COLOURS_JS = """(root, samples) => {
    const behind = (el) => {
        for (let node = el; node; node = node.parentElement) {
            const bg = getComputedStyle(node).backgroundColor;
            if (bg && bg !== 'transparent' && !/^rgba\\(.*,\\s*0\\)$/.test(bg)) return bg;
        }
        return 'rgb(255, 255, 255)';
    };
    const out = {};
    for (const [label, selector] of samples) {
        const el = selector === ':scope' ? root : root.querySelector(selector);
        if (!el) throw new Error(`no element for ${label}: ${selector}`);
        out[label] = {fg: getComputedStyle(el).color, bg: behind(el)};
    }
    const node = root.querySelector("[data-testid='node-publish']");
    out['diagram node'] = {
        fg: getComputedStyle(node.querySelector('text')).fill,
        bg: getComputedStyle(node.querySelector('rect')).fill,
    };
    out['widget background'] = {fg: getComputedStyle(root).color, bg: getComputedStyle(root).backgroundColor};
    return out;
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    """Parse a computed colour: `rgb(...)`/`rgba(...)` (0-255), or `color(srgb ...)` (0-1,
    what Chromium reports for `color-mix`); returns 0-255 channels and alpha."""
    inside = css[css.index("(") + 1 : css.rindex(")")].replace("/", " ").replace(",", " ")
    words = inside.split()
    scale = 1.0
    if words[0] == "srgb":
        words, scale = words[1:], 255.0
    parts = [float(p) for p in words]
    return (*(c * scale for c in parts[:3]), parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour (0 black .. 1 white)."""

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _pair(colours: dict) -> tuple[float, float]:
    """(text luminance, background luminance), text alpha-blended over its background."""
    bg = _rgba(colours["bg"])[:3]
    *fg, alpha = _rgba(colours["fg"])
    blended = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True))
    return _luminance(blended), _luminance(bg)


def _contrast(a: float, b: float) -> float:
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def widget_colours(widget) -> dict[str, tuple[float, float]]:
    """(text luminance, background luminance) of each sample in the widget."""
    samples = [[label, selector] for label, selector, _ in TEXT_SAMPLES]
    found = widget.evaluate(COLOURS_JS, samples)
    return {label: _pair(colours) for label, colours in found.items()}


def assert_theme(colours: dict[str, tuple[float, float]], dark: bool) -> None:
    """Background and text follow the theme, and every sample keeps readable contrast."""
    fg, bg = colours["widget background"]
    if dark:
        assert bg < 0.05 and fg > 0.6, f"widget not dark: text {fg:.2f} on background {bg:.2f}"
    else:
        assert bg > 0.8 and fg < 0.1, f"widget not light: text {fg:.2f} on background {bg:.2f}"
    needs = {label: need for label, _, need in TEXT_SAMPLES} | {"diagram node": 4.5}
    for label, need in needs.items():
        text, behind = colours[label]
        ratio = _contrast(text, behind)
        assert ratio >= need, (
            f"{label}: contrast {ratio:.1f} < {need} ({'dark' if dark else 'light'} theme)"
        )
        if label not in INVERTED:
            assert (text > behind) == dark, (
                f"{label}: text not {'lighter' if dark else 'darker'} than its background"
            )


def status_contrast(widget) -> float:
    """Contrast of the status badge's text on the widget behind it."""
    found = widget.evaluate(COLOURS_JS, [["status", "[data-testid='status']"]])
    return _contrast(*_pair(found["status"]))


def open_review_widget(lab):
    """Open the review notebook (our engine) and run it to the interrupt; return the widget."""
    lab.open_notebook([ENGINE_IMPORTS["ours"] + REVIEW_GRAPH, SHOW])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    expect(widget.get_by_test_id("node-publish")).to_be_visible()
    expect(widget.get_by_test_id("history-row")).not_to_have_count(0)
    return widget


@pytest.fixture
def restore_light_theme(lab_server):
    """Put the shared server's theme setting back, so later tests see the default theme."""
    yield
    lab_server.api("PUT", THEMES_SETTINGS, {"raw": "{}"})


def test_dark_theme_is_followed(lab, restore_light_theme):
    """Switching JupyterLab to its dark theme turns the widget dark with light, readable text."""
    widget = open_review_widget(lab)
    assert_theme(widget_colours(widget), dark=False)

    lab.page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    expect(lab.page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    lab.page.wait_for_function(
        "() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() !== '#fff'"
        " && getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() !== 'white'"
    )
    assert_theme(widget_colours(widget), dark=True)
    lab.screenshot("dark", widget)

    widget.get_by_test_id("interrupt-option-0-0").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    assert status_contrast(widget) >= 4.5


def tab_until(page, testid: str, limit: int = 40) -> list[str]:
    """Press Tab until the focused element has `testid`; return the test ids passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " return el && el.closest('[data-testid]') ? el.closest('[data-testid]').dataset.testid : ''; }"
        )
        passed.append(focused)
        if focused == testid:
            return passed
    raise AssertionError(f"Tab never reached {testid!r}; focus went through {passed}")


def test_keyboard_reaches_controls_and_answers(lab):
    """From the toolbar, Tab reaches the diagram, options, Send, the state editor and the timeline; Enter answers."""
    widget = open_review_widget(lab)
    page = lab.page
    widget.get_by_test_id("btn-continue").focus()

    tab_until(page, "node-human_review")
    page.keyboard.press(" ")
    expect(widget.get_by_test_id("node-detail")).to_contain_text("human_review")
    tab_until(page, "interrupt-option-0-0")
    tab_until(page, "interrupt-option-0-1")
    tab_until(page, "interrupt-submit")
    tab_until(page, "state-json")
    tab_until(page, "state-save")
    tab_until(page, "history-list")
    page.keyboard.press("ArrowDown")
    newest = widget.get_by_test_id("history-row").first
    expect(newest).to_have_attribute("aria-selected", "true")
    expect(widget.get_by_test_id("checkpoint-detail")).to_contain_text("step 1")
    lab.screenshot("keyboard-timeline", widget)

    widget.get_by_test_id("btn-continue").focus()
    tab_until(page, "interrupt-option-0-1")
    page.keyboard.press("Enter")

    expect(widget.get_by_test_id("status")).to_have_text("done")
    assert status_contrast(widget) >= 4.5
    thread = kernel_thread(lab)
    assert thread["values"]["verdict"] == "reject"
    assert thread["next"] == []


def test_narrow_notebook_has_no_sideways_overflow(lab):
    """At a 700px-wide window the widget fits its cell: nothing overflows sideways and the panels stack."""
    lab.page.set_viewport_size({"width": 700, "height": 1600})
    widget = open_review_widget(lab)
    sizes = widget.evaluate(
        """(root) => {
            const output = root.closest('.jp-OutputArea-output');
            const box = (testid) => root.querySelector(`[data-testid='${testid}']`).getBoundingClientRect();
            return {
                root: [root.scrollWidth, root.clientWidth],
                output: [output.scrollWidth, output.clientWidth],
                page: [document.documentElement.scrollWidth, window.innerWidth],
                rootRight: root.getBoundingClientRect().right,
                outputRight: output.getBoundingClientRect().right,
                diagram: box('diagram'),
                interrupts: box('interrupt-panel'),
                state: box('state-editor'),
            };
        }"""
    )
    for name in ("root", "output", "page"):
        scroll, client = sizes[name]
        assert scroll <= client + 1, (
            f"{name} overflows sideways: scrollWidth {scroll} > clientWidth {client}"
        )
    assert sizes["rootRight"] <= sizes["outputRight"] + 1
    diagram, interrupts, state = sizes["diagram"], sizes["interrupts"], sizes["state"]
    assert interrupts["top"] >= diagram["bottom"] - 1, (
        "interrupt panel should sit below the diagram"
    )
    assert abs(interrupts["left"] - diagram["left"]) <= 1
    assert state["top"] >= interrupts["bottom"] - 1
    lab.screenshot("narrow", widget)
