"""The harness that runs LangGraph's own tests on our engine (tests/upstream) does what it
says: imports are redirected to our objects, a name we lack fails only where it is used,
and its leave-out and ratchet lists name real tests."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from upstream import harness, leave_out, rewrite, shim
from upstream.selection import DEFAULT_VERSION

import hitl_notebook
from hitl_notebook.checkpoint.sqlite import SqliteSaver

shim.install()


def _run_module(source: str, name: str = "lg_fake_test_module") -> types.ModuleType:
    """Execute rewritten ``source`` as a module body (its top level is a ``<module>`` frame)."""
    module = types.ModuleType(name)
    code = compile(rewrite.rewrite_source(source), f"<{name}>", "exec", dont_inherit=True)
    exec(code, module.__dict__)
    return module


def test_rewrite_changes_only_import_paths_and_keeps_line_numbers():
    """`langgraph`/`tests` import paths (and `langgraph.x` dotted names) are renamed; strings,
    comments and names that merely contain the words are not; the line count is unchanged."""
    source = textwrap.dedent("""\
        from langgraph.types import Command, interrupt
        from tests.any_str import AnyStr
        import langgraph.errors as errors, tests.fake_chat
        NAME = "langgraph.types"  # from langgraph.types import Command
        def f():
            from langgraph.pregel import (
                Pregel,
            )
            tests = [langgraph.types.Send]
            return tests
    """)
    assert rewrite.rewrite_source(source) == textwrap.dedent("""\
        from lgshim.types import Command, interrupt
        from lgtests.any_str import AnyStr
        import lgshim.errors as errors, lgtests.fake_chat
        NAME = "langgraph.types"  # from langgraph.types import Command
        def f():
            from lgshim.pregel import (
                Pregel,
            )
            tests = [lgshim.types.Send]
            return tests
    """)
    assert rewrite.helper_modules(source) == {"any_str", "fake_chat"}


def test_snapshot_class_paths_follow_the_rename():
    """A snapshot's JSON naming a class of LangGraph's test package (``"id": ["tests",
    "<module>", ...]``, indented or not) names it under ``lgtests``, where it now lives;
    LangGraph's own paths, other ``"tests"`` strings and ids that are not paths stay."""
    text = textwrap.dedent("""\
        "id": [
          "tests",
          "test_large_cases",
          "FakeFunctionChatModel"
        ],
        {"id": ["tests", "fake_chat", "FakeChatModel"], "name": "tests"}
        "id": ["langgraph", "prebuilt", "tool_node", "ToolNode"]
        "id": ["tests"]
        "ids": ["tests", "x"]
    """)
    assert rewrite.rewrite_snapshot(text) == textwrap.dedent("""\
        "id": [
          "lgtests",
          "test_large_cases",
          "FakeFunctionChatModel"
        ],
        {"id": ["lgtests", "fake_chat", "FakeChatModel"], "name": "tests"}
        "id": ["langgraph", "prebuilt", "tool_node", "ToolNode"]
        "id": ["tests"]
        "ids": ["tests", "x"]
    """)


def test_redirected_imports_are_our_objects():
    """`from langgraph.types import Command` etc. give hitl_notebook's own objects."""
    module = _run_module(
        "from langgraph.types import Command, Interrupt, Send, interrupt\n"
        "from langgraph.graph import StateGraph, START, END, MessagesState\n"
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.checkpoint.sqlite import SqliteSaver\n"
        "from langgraph.errors import GraphRecursionError\n"
    )
    assert module.Command is hitl_notebook.Command
    assert module.Interrupt is hitl_notebook.Interrupt
    assert module.Send is hitl_notebook.Send
    assert module.interrupt is hitl_notebook.interrupt
    assert module.StateGraph is hitl_notebook.StateGraph
    assert (module.START, module.END) == (hitl_notebook.START, hitl_notebook.END)
    assert module.MessagesState is hitl_notebook.MessagesState
    assert module.InMemorySaver is hitl_notebook.InMemorySaver
    assert module.SqliteSaver is SqliteSaver
    assert module.GraphRecursionError is hitl_notebook.GraphRecursionError


def test_a_missing_name_fails_only_when_used():
    """Importing a name we lack works; calling it, instantiating it or reading an attribute
    raises NotImplementedError naming the LangGraph path."""
    module = _run_module("from langgraph.pregel import Pregel, NodeBuilder\n")
    message = "hitl_notebook has no langgraph.pregel.Pregel"
    with pytest.raises(NotImplementedError, match=message):
        module.Pregel(nodes={})
    with pytest.raises(NotImplementedError, match=message):
        module.Pregel.some_attribute  # noqa: B018
    assert not hasattr(module.Pregel, "__wrapped__")  # dunder probes are plain misses
    assert shim.is_placeholder(module.NodeBuilder)


def test_module_level_uses_of_a_missing_name_are_deferred_to_the_tests_that_use_them():
    """At import time a subclass of a missing class, a call of a missing factory in a
    TypedDict field, or a missing attribute of our saver base class do not raise; using
    them later does."""
    module = _run_module(
        textwrap.dedent("""\
        from typing import Annotated
        from typing_extensions import TypedDict
        from langgraph.channels.delta import DeltaChannel
        from langgraph.checkpoint.base import BaseCheckpointSaver, SerializerProtocol
        from langgraph.checkpoint.memory import InMemorySaver

        class NoopSerializer(SerializerProtocol):
            pass

        class State(TypedDict):
            messages: Annotated[list, DeltaChannel(lambda a, b: a + b)]

        class IntVersionSaver(InMemorySaver):
            get_next_version = BaseCheckpointSaver.get_next_version

        def make_serializer():
            return NoopSerializer()
    """)
    )
    with pytest.raises(NotImplementedError, match="langgraph.checkpoint.base.SerializerProtocol"):
        module.make_serializer()
    channel = module.State.__annotations__["messages"].__metadata__[0]
    with pytest.raises(NotImplementedError, match="langgraph.channels.delta.DeltaChannel"):
        channel([], [1])
    assert isinstance(module.IntVersionSaver(), hitl_notebook.BaseCheckpointSaver)
    assert isinstance(
        hitl_notebook.InMemorySaver(), sys.modules["lgshim.checkpoint.base"].BaseCheckpointSaver
    )


def test_a_missing_exception_is_still_an_exception_class():
    """`pytest.raises(UnknownInterruptError)` shows what our engine raised instead."""
    module = _run_module("from langgraph.errors import UnknownInterruptError\n")
    with pytest.raises(ValueError, match="ours"), pytest.raises(module.UnknownInterruptError):
        raise ValueError("ours")


def test_the_shim_never_imports_langgraph():
    """Resolving many LangGraph names, present and missing, imports no `langgraph` module."""
    script = textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from upstream import shim
        shim.install()
        from lgshim.types import Command, RetryPolicy, interrupt
        from lgshim.graph.state import StateGraph, CompiledStateGraph
        from lgshim.pregel import Pregel
        from lgshim.checkpoint.base import BaseCheckpointSaver, Checkpoint
        import lgshim.constants
        lgshim.constants.START
        leaked = sorted(m for m in sys.modules if m.split(".")[0] == "langgraph")
        assert not leaked, leaked
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def sdist_tests() -> dict[str, list[str]]:
    """Test names of the selected modules of the default version's sdist (downloaded with
    pip into the harness's cache on first use)."""
    return harness.test_names(harness.prepare(DEFAULT_VERSION))


def test_every_leave_out_entry_matches_a_real_test(sdist_tests):
    """A stale leave-out pattern (matching no test of the sdist) is an error. A pattern
    naming one parametrised case is checked by its test's name here (the run checks the
    case itself against the ids pytest collects)."""
    ids = [f"{module}::{name}" for module, names in sdist_tests.items() for name in names]
    for reason, patterns in leave_out.LEAVE_OUT.items():
        assert reason.strip(), patterns
        for pattern in patterns:
            base = pattern.split("[", 1)[0]
            matches = [
                i
                for i in ids
                if (
                    i == base
                    if "[" in pattern
                    else leave_out.leave_out_reason(i, {reason: [pattern]})
                )
            ]
            assert matches, (
                f"leave-out entry {pattern!r} ({reason}) matches no test of langgraph {DEFAULT_VERSION}"
            )


def test_expected_failures_name_real_in_scope_tests(sdist_tests):
    """Every expected failure is a test of a selected module, and none is also left out."""
    for test_id in harness.read_expected():
        module, _, rest = test_id.partition("::")
        assert rest.split("[", 1)[0] in sdist_tests.get(module, []), test_id
        assert leave_out.leave_out_reason(test_id) is None, (
            f"{test_id} is both left out and expected to fail"
        )


def _fake_pytest(outcomes: dict[str, list[str]]):
    """Stands in for the pytest subprocess: each call reports the next outcome of every
    test it is asked to run, in the report format the harness reads back."""
    calls: list[list[str] | None] = []

    def run(root, report, args, targets=None):
        calls.append(targets)
        ids = [t.split("/", 1)[1] for t in targets] if targets else list(outcomes)
        lines = [{"collected": ids}]
        for test_id in ids:
            lines.append({"id": test_id, "outcome": outcomes[test_id].pop(0), "message": "x"})
        report.with_suffix(".jsonl").write_text("\n".join(map(json.dumps, lines)), "utf-8")
        return 1

    return run, calls


@pytest.mark.parametrize(
    ("second", "regressions"), [("passed", []), ("failed", ["test_pregel.py::test_b"])]
)
def test_an_unexpected_failure_is_retried_once_alone(tmp_path, monkeypatch, second, regressions):
    """A timing-sensitive upstream test failing once under load passes on its retry and is
    counted passed; one failing twice stays a regression. Listed failures are not retried."""
    listed = harness.read_expected()[0]
    run, calls = _fake_pytest(
        {
            "test_pregel.py::test_a": ["passed"],
            "test_pregel.py::test_b": ["failed", second],
            listed: ["failed"],
        }
    )
    monkeypatch.setattr(harness, "_run_pytest", run)
    report = tmp_path / "report.json"
    args = types.SimpleNamespace(k=None, pytest_args=[])
    run(tmp_path, report, args)
    data = harness._load_report(report)

    harness._retry_unexpected_failures(tmp_path, report, args, data)

    assert calls[1] == [f"{rewrite.OUR_PACKAGE}/test_pregel.py::test_b"]
    outcome = data["results"]["test_pregel.py::test_b"]["outcome"]
    assert outcome == second and data["results"][listed]["outcome"] == "failed"
    failing = [i for i, r in data["results"].items() if r["outcome"] == "failed"]
    assert sorted(set(failing) - {listed}) == regressions


def _flat(text: str) -> str:
    return " ".join(text.replace("**", "").replace("`", "").split()).lower()


def test_every_expected_failure_says_why():
    """Each listed case sits under a ``# deliberate: <README row>`` or ``# not yet: <cause>``
    header; a deliberate one names a row of the README's table of deliberate differences."""
    readme = (Path(harness.REPO) / "README.md").read_text(encoding="utf-8")
    table = _flat(
        readme.split("## Where we deliberately differ from LangGraph", 1)[1].split("\n## ")[0]
    )
    sections = harness.read_expected_sections()
    assert sections and set(sections) == set(harness.read_expected())
    for test_id, (kind, reason) in sections.items():
        assert kind in ("deliberate", "not yet"), test_id
        if kind == "deliberate":
            assert _flat(reason) in table, f"{test_id}: no README row reads {reason!r}"


def test_update_expected_keeps_each_case_in_its_section(tmp_path):
    """Rewriting the list keeps sections in order and ids in their section, drops emptied
    sections and fixed ids, and files new failures under the unsorted header."""
    path = tmp_path / "expected.txt"
    path.write_text(
        "# comment\n\n# not yet: slow\nm.py::b\nm.py::a\n\n# deliberate: row one\nm.py::c\n"
        "# not yet: gone\nm.py::d\n",
        encoding="utf-8",
    )
    harness._write_expected(["m.py::c", "m.py::a", "m.py::new", "m.py::b"], path)
    sections = harness.read_expected_sections(path)
    assert list(sections.items()) == [
        ("m.py::a", ("not yet", "slow")),
        ("m.py::b", ("not yet", "slow")),
        ("m.py::c", ("deliberate", "row one")),
        ("m.py::new", harness.UNSORTED),
    ]
    assert "gone" not in path.read_text(encoding="utf-8")


def test_the_summary_counts_deliberate_and_not_yet_cases():
    sections = {
        "m.py::a": ("deliberate", "row"),
        "m.py::b": ("not yet", "x"),
        "m.py::c": ("not yet", "y"),
    }
    line = harness._kind_counts(sections, ["m.py::a", "m.py::b"])
    assert "this run: 1 deliberate, 1 not yet" in line
    assert "whole list: 1 deliberate, 2 not yet" in line
