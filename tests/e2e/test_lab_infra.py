"""The browser harness itself: JupyterLab, this venv's kernel and anywidget comms work.

If these fail, every widget e2e test would fail for reasons unrelated to our widget.
"""

import sys
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CLICKER = '''
import anywidget
import traitlets

class Clicker(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const button = document.createElement("button");
      button.dataset.testid = "clicker";
      const show = () => { button.textContent = `clicked ${model.get("count")} times`; };
      button.addEventListener("click", () => {
        model.set("count", model.get("count") + 1);
        model.save_changes();
      });
      model.on("change:count", show);
      show();
      el.appendChild(button);
    }
    export default { render };
    """
    count = traitlets.Int(0).tag(sync=True)

clicker = Clicker()
clicker
'''


def test_kernel_runs_in_this_venv(lab):
    """Notebook kernels use the interpreter the tests run in, so they see our package."""
    lab.open_notebook(["import sys\nprint(sys.prefix)"])
    outputs = lab.run_all()
    assert outputs[0].strip() == sys.prefix


def test_anywidget_click_reaches_kernel_and_back(lab):
    """A click in an anywidget updates the kernel's traitlet, and kernel writes re-render."""
    lab.open_notebook([CLICKER])
    lab.run_all()
    button = lab.page.get_by_test_id("clicker")
    expect(button).to_have_text("clicked 0 times")
    button.click()
    button.click()
    expect(button).to_have_text("clicked 2 times")
    # The page holds back a change while the kernel has not acknowledged the one before
    # (ipywidgets' throttle), so the second click may reach the kernel a little later.
    deadline = time.monotonic() + 30
    while (seen := lab.run_code("print(clicker.count)").strip()) != "2":
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert seen == "2"
    lab.run_code("clicker.count = 10")
    expect(button).to_have_text("clicked 10 times")
    lab.screenshot("after-clicks")


def test_cell_error_is_reported_with_traceback(lab):
    """A failing cell surfaces its exception, so a broken notebook cannot pass silently."""
    lab.open_notebook(["raise ValueError('boom from the kernel')"])
    with pytest.raises(AssertionError, match="boom from the kernel"):
        lab.run_all()
