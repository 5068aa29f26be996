"""The teaching notebooks stay runnable in CI and reviewable in git (their execution is
``pytest --nbval-lax notebooks/``; these checks are about their shape)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: Every notebook in the folder (teaching notebooks and LangGraph integration examples).
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
#: The teaching set: one ``NN_<pattern>.ipynb`` per HITL pattern.
TEACHING = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
#: What the other notebooks may import besides the package and the stdlib: the
#: ``hitl-notebook[langgraph]`` extra (still no network: their models are scripted too).
LANGGRAPH_EXTRA = {"langgraph", "langchain", "langchain_core"}
PATTERNS = [
    "quickstart",
    "approve_or_reject",
    "review_and_edit_state",
    "review_tool_calls",
    "ask_for_input",
    "multi_turn_conversation",
    "parallel_interrupts",
    "static_breakpoints",
    "time_travel",
    "subgraphs",
    "persistence",
    "bring_your_own_model",
    "langgraph_server",
    "functional_api",
]
#: Teaching notebooks with a cell that uses a real LLM: it imports LangChain only when an
#: API key is set and LangChain is installed, and says it skipped otherwise.
REAL_MODEL_CELL = {"11_bring_your_own_model"}
#: Teaching notebooks that need an extra besides the package (still no network beyond
#: loopback): the server notebook talks to a local ``langgraph dev`` through the SDK; the
#: real-model cell above uses LangChain.
EXTRA_IMPORTS = {
    "11_bring_your_own_model": LANGGRAPH_EXTRA,
    "12_langgraph_server": {"langgraph_sdk"},
}


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def python_source(cell: nbformat.NotebookNode) -> str:
    """A code cell as plain Python (magics become ``get_ipython()`` calls, as IPython runs them)."""
    return TransformerManager().transform_cell(cell.source)


def test_every_pattern_has_a_notebook():
    """Each HITL pattern of the teaching set exists as ``NN_<pattern>.ipynb``."""
    names = [p.stem.split("_", 1)[1] for p in TEACHING]
    assert names == PATTERNS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_valid_and_stripped(path):
    """Stored notebooks are valid nbformat with no outputs or execution counts."""
    nb = load(path)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs not stripped"
            assert cell.execution_count is None, f"{path.name}: execution count not stripped"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_starts_with_a_title(path):
    """The first cell is markdown starting with a level-1 heading."""
    first = load(path).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every module the notebook's code cells import."""
    found = set()
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(python_source(cell))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                found.add((node.module or "").split(".")[0])
    return found


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: p.stem)
def test_teaching_notebook_imports_only_the_package_and_stdlib(path):
    """Teaching notebooks import only hitl_notebook and the standard library: they run
    offline after a plain install."""
    allowed = {"hitl_notebook", *EXTRA_IMPORTS.get(path.stem, ())}
    outside = {
        m for m in imported_packages(path) if m not in allowed and m not in sys.stdlib_module_names
    }
    assert not outside, f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR / f"{n}.ipynb" for n in REAL_MODEL_CELL))
def test_the_real_model_cell_is_guarded(path):
    """The cell importing LangChain runs it only with a key and LangChain present, and
    says plainly when it skipped."""
    [cell] = [c for c in load(path).cells if c.cell_type == "code" and "from langchain" in c.source]
    assert 'find_spec("langchain")' in cell.source and "os.environ.get" in cell.source
    assert "Skipped" in cell.source


@pytest.mark.parametrize("path", sorted(set(NOTEBOOKS) - set(TEACHING)), ids=lambda p: p.stem)
def test_other_notebooks_import_at_most_the_langgraph_extra(path):
    """Integration notebooks may also use LangGraph/LangChain, nothing else."""
    allowed = {"hitl_notebook", *LANGGRAPH_EXTRA}
    outside = {
        m for m in imported_packages(path) if m not in allowed and m not in sys.stdlib_module_names
    }
    assert not outside, f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: p.stem)
def test_notebook_shows_the_code_way_and_the_widget_way(path):
    """Each notebook has a "code way" and a "widget way" section and displays a widget."""
    nb = load(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "the code way" in markdown and "the widget way" in markdown
    assert "show(" in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_listed_in_the_readme(path):
    """notebooks/README.md links every notebook."""
    assert f"]({path.name})" in (NOTEBOOKS_DIR / "README.md").read_text()
