"""The Functional API on every saver: a paused entrypoint survives a new process (a fresh
saver on the same storage), its finished tasks are not run again, and its history is the
one LangGraph keeps for the same calls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

import hitl_notebook


def build(api, saver, runs: Counter) -> Callable:
    """An entrypoint with a task, a question inside a task and one in the body."""

    @api.task
    def outline(topic: str) -> list:
        runs["outline"] += 1
        return [f"{topic} intro", f"{topic} end"]

    @api.task
    def approve(parts: list) -> bool:
        runs["approve"] += 1
        return api.interrupt({"approve": parts}) == "yes"

    @api.entrypoint(checkpointer=saver)
    def essay(topic: str, *, previous=None) -> dict:
        runs["body"] += 1
        parts = outline(topic).result()
        ok = approve(parts).result()
        title = api.interrupt("Title?")
        return {"title": title, "parts": parts, "ok": ok, "runs_before": previous}

    return essay


def drive(make_flow: Callable[[], Callable], config: dict) -> list:
    """Start, then answer each question with a flow built anew (a restarted kernel)."""
    outputs = [make_flow().invoke("owls", config)]
    outputs.append(make_flow().invoke(hitl_notebook.Command(resume="yes"), config))
    outputs.append(make_flow().invoke(hitl_notebook.Command(resume="On owls"), config))
    return outputs


def view(snapshot) -> tuple:
    return (
        snapshot.values,
        tuple(snapshot.next),
        snapshot.metadata["source"],
        snapshot.metadata["step"],
        [(t.name, [i.value for i in t.interrupts], t.result) for t in snapshot.tasks],
    )


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_paused_entrypoint_resumes_after_a_restart(make_kit, kind):
    """Each answer is given by a flow built on a freshly opened saver: the run goes on from
    the stored checkpoint and the finished tasks' results are read back, not recomputed."""
    kit = make_kit(kind)
    runs: Counter = Counter()
    config = {"configurable": {"thread_id": f"essay-{kind}"}}
    outputs = drive(lambda: build(hitl_notebook, kit.reopen(), runs), config)
    assert [o.get("__interrupt__", [None])[0] for o in outputs[:2]] != [None, None]
    assert outputs[0]["__interrupt__"][0].value == {"approve": ["owls intro", "owls end"]}
    assert outputs[1]["__interrupt__"][0].value == "Title?"
    assert outputs[2] == {
        "title": "On owls",
        "parts": ["owls intro", "owls end"],
        "ok": True,
        "runs_before": None,
    }
    assert runs == {"outline": 1, "approve": 2, "body": 3}
    flow = build(hitl_notebook, kit.reopen(), runs)
    assert flow.invoke("bats", config)["__interrupt__"][0].value["approve"] == [
        "bats intro",
        "bats end",
    ]
    assert flow.get_state(config).values == outputs[2]  # the last run's value until it returns


@pytest.mark.langgraph
@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_history_matches_langgraph(make_kit, kind):
    """The thread's history (values, next, source, step, tasks with their questions and
    results) is LangGraph's, on each of our savers."""
    import langgraph.func
    import langgraph.types
    from langgraph.checkpoint.memory import InMemorySaver

    class LangGraphApi:
        entrypoint, task = langgraph.func.entrypoint, langgraph.func.task
        interrupt = staticmethod(langgraph.types.interrupt)

    config = {"configurable": {"thread_id": "h"}}
    reference = build(LangGraphApi, InMemorySaver(), Counter())
    for turn in (
        "owls",
        langgraph.types.Command(resume="yes"),
        langgraph.types.Command(resume="T"),
    ):
        reference.invoke(turn, config)
    kit = make_kit(kind)
    ours = build(hitl_notebook, kit.saver, Counter())
    for turn in ("owls", hitl_notebook.Command(resume="yes"), hitl_notebook.Command(resume="T")):
        ours.invoke(turn, config)
    expected = [view(s) for s in reference.get_state_history(config)]
    assert [view(s) for s in ours.get_state_history(config)] == expected
    assert [
        view(s) for s in build(hitl_notebook, kit.reopen(), Counter()).get_state_history(config)
    ] == expected
