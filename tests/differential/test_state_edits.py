"""Editing and time travel: ``update_state`` (with and without ``as_node``, ``None`` to
skip a node), forking a past checkpoint and replaying from one give the same values,
``next`` and history as LangGraph."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, plain, same, state, thread

pytestmark = pytest.mark.langgraph


class Trail(TypedDict):
    trail: Annotated[list, operator.add]
    ok: bool


def build(api: Api, runs: list[str], **compile_options):
    """``a -> b -> c`` recording each run in ``runs``."""

    def mark(name: str):
        def node(state: Trail) -> dict:
            runs.append(name)
            return {"trail": [name]}

        return node

    builder = api.StateGraph(Trail)
    for name in "abc":
        builder.add_node(name, mark(name))
    builder.add_edge(api.START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


def edit_at_breakpoint(values, **as_node):
    """A scenario: pause before ``b``, apply ``update_state(values, **as_node)``, continue."""

    def scenario(api: Api) -> dict:
        runs: list[str] = []
        graph = build(api, runs, interrupt_before=["b"])
        config = thread("edit")
        graph.invoke({"trail": ["in"]}, config)
        returned = graph.update_state(config, values, **as_node)
        after_edit = state(graph, config)
        output = plain(graph.invoke(None, config))
        return {
            "returned_keys": sorted(returned["configurable"]),
            "after_edit": after_edit,
            "output": output,
            "runs": runs,
            "history": history(graph, config),
        }

    return scenario


def test_update_state_without_as_node_acts_as_the_last_writer():
    """Without ``as_node`` the edit counts as the node that wrote last (``a``), reducers
    apply, and ``b`` is still next."""
    seen = same(edit_at_breakpoint({"trail": ["edit"]}))
    assert seen["after_edit"]["next"] == ("b",)
    assert seen["output"] == {"trail": ["in", "a", "edit", "b", "c"]}


def test_update_state_as_node_takes_that_nodes_place():
    """``as_node="b"`` records the edit as ``b``'s output, so ``c`` runs next and ``b``
    never does."""
    seen = same(edit_at_breakpoint({"trail": ["by hand"]}, as_node="b"))
    assert seen["after_edit"]["next"] == ("c",)
    assert seen["runs"] == ["a", "c"]


def test_update_state_with_none_skips_a_node():
    """``update_state(config, None, as_node="b")`` moves past ``b`` without changing state."""
    seen = same(edit_at_breakpoint(None, as_node="b"))
    assert seen["output"] == {"trail": ["in", "a", "c"]}


def test_update_state_as_node_routes_through_its_conditional_edge():
    """An edit as a node with a conditional edge takes the route the edited state picks."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Trail)
        builder.add_node("check", lambda s: {"ok": False})
        builder.add_node("accept", lambda s: {"trail": ["accepted"]})
        builder.add_node("reject", lambda s: {"trail": ["rejected"]})
        builder.add_edge(api.START, "check")
        builder.add_conditional_edges(
            "check", lambda s: "yes" if s["ok"] else "no", {"yes": "accept", "no": "reject"}
        )
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_after=["check"])
        config = thread("route")
        graph.invoke({"trail": []}, config)
        paused = state(graph, config)
        graph.update_state(config, {"ok": True}, as_node="check")
        edited = state(graph, config)
        return {
            "paused": paused,
            "edited": edited,
            "output": plain(graph.invoke(None, config)),
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert (seen["paused"]["next"], seen["edited"]["next"]) == (("reject",), ("accept",))


def test_fork_a_past_checkpoint_and_run_from_it():
    """``update_state`` on a past checkpoint starts a branch; running it leaves the old
    branch in the history and makes the branch the thread's latest state."""

    def scenario(api: Api) -> dict:
        runs: list[str] = []
        graph = build(api, runs)
        config = thread("fork")
        graph.invoke({"trail": ["in"]}, config)
        before_b = next(s for s in graph.get_state_history(config) if s.next == ("b",))
        fork = graph.update_state(before_b.config, {"trail": ["forked"]})
        forked = graph.get_state(fork)
        output = plain(graph.invoke(None, fork))
        return {
            "forked": state(graph, fork),
            "fork_parent_is_the_past_checkpoint": forked.parent_config["configurable"][
                "checkpoint_id"
            ]
            == before_b.config["configurable"]["checkpoint_id"],
            "output": output,
            "latest": state(graph, config),
            "runs": runs,
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["output"] == {"trail": ["in", "a", "forked", "b", "c"]}
    assert seen["fork_parent_is_the_past_checkpoint"] is True


def test_replay_from_a_checkpoint_id():
    """``invoke(None, {thread_id, checkpoint_id})`` re-runs the steps after that checkpoint
    (not the ones before) and adds a branch to the history."""

    def scenario(api: Api) -> dict:
        runs: list[str] = []
        graph = build(api, runs)
        config = thread("replay")
        graph.invoke({"trail": ["in"]}, config)
        runs.clear()
        before_b = next(s for s in graph.get_state_history(config) if s.next == ("b",))
        output = plain(graph.invoke(None, before_b.config))
        return {
            "output": output,
            "runs": runs,
            "latest": state(graph, config),
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["runs"] == ["b", "c"]
    assert seen["output"] == {"trail": ["in", "a", "b", "c"]}


class Log(TypedDict):
    log: Annotated[list, operator.add]


def _fan_out(api: Api, *, ask: bool, **compile_options):
    """``a`` then ``b`` and ``c`` in parallel, ``b -> d``; ``b`` asks when ``ask``."""

    def b(state: Log) -> dict:
        return {"log": ["b:" + api.interrupt("q")] if ask else ["b"]}

    builder = api.StateGraph(Log)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_node("b", b)
    builder.add_node("c", lambda s: {"log": ["c"]})
    builder.add_node("d", lambda s: {"log": ["d"]})
    builder.add_edge(api.START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("a", "c")
    builder.add_edge("b", "d")
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


@pytest.mark.parametrize("as_node", ["a", "b", "c", "d"])
@pytest.mark.parametrize("paused", ["b asks, c finished", "before b and c"])
def test_an_edit_is_a_step_of_its_own_waiting_tasks_dropped(paused, as_node):
    """``update_state(as_node=X)`` while tasks wait: only ``X`` ran in the edit's step, so
    the waiting tasks (a finished sibling's writes, an unanswered question) are dropped and
    ``X``'s own edges decide what runs next."""

    def scenario(api: Api) -> dict:
        if paused == "before b and c":
            graph = _fan_out(api, ask=False, interrupt_before=["b", "c"])
        else:
            graph = _fan_out(api, ask=True)
        config = thread("edit")
        graph.invoke({"log": ["in"]}, config)
        graph.update_state(config, {"log": ["edit"]}, as_node=as_node)
        return {
            "after_edit": state(graph, config),
            "output": plain(graph.invoke(None, config)),
            "history": history(graph, config),
        }

    same(scenario)


@pytest.mark.parametrize("as_node", [None, "a", "b"])
def test_an_edit_of_the_input_checkpoint_drops_its_pending_input(as_node):
    """Editing a thread's first checkpoint (``__start__`` waiting with the input) as a node:
    the input is not applied, and the node's edges decide what runs."""

    def scenario(api: Api) -> dict:
        graph = _fan_out(api, ask=False)
        config = thread("edit")
        graph.invoke({"log": ["in"]}, config)
        first = list(graph.get_state_history(config))[-1]
        forked = graph.update_state(first.config, {"log": ["edit"]}, as_node=as_node)
        return {
            "after_edit": state(graph, forked),
            "output": plain(graph.invoke(None, forked)),
        }

    same(scenario)


def test_an_edit_as_one_of_several_send_tasks_drops_the_others():
    """Send tasks waiting at a breakpoint: an edit as their node (with or without the
    ``task_id`` of one) ends that step; none of them runs afterwards."""

    def scenario(api: Api) -> list:
        seen = []
        for pick in (None, 1):
            graph = (
                api.StateGraph(Log)
                .add_node("task", lambda arg: {"log": [arg["i"]]})
                .add_conditional_edges(
                    api.START, lambda s: [api.Send("task", {"i": i}) for i in range(2)]
                )
                .compile(checkpointer=api.InMemorySaver(), interrupt_before=["task"])
            )
            config = thread(f"send-{pick}")
            graph.invoke({"log": []}, config)
            task_id = None if pick is None else graph.get_state(config).tasks[pick].id
            graph.update_state(config, {"log": ["by hand"]}, as_node="task", task_id=task_id)
            seen.append((state(graph, config), plain(graph.invoke(None, config))))
        return seen

    same(scenario)


@pytest.mark.parametrize("paused", ["at a question", "at a breakpoint"])
def test_replaying_the_head_by_its_id_starts_a_branch(paused):
    """``invoke(None, config)`` whose ``checkpoint_id`` is the thread's head is a replay:
    a "fork" checkpoint starts the branch (its questions asked again), while answering the
    head, or continuing an edit, goes on from it."""

    def scenario(api: Api) -> dict:
        def ask(state: Log) -> dict:
            return {"log": ["b:" + api.interrupt("q")]}

        builder = api.StateGraph(Log)
        builder.add_node("a", lambda s: {"log": ["a"]})
        builder.add_node("b", ask if paused == "at a question" else (lambda s: {"log": ["b"]}))
        builder.add_edge(api.START, "a")
        builder.add_edge("a", "b")
        options = {} if paused == "at a question" else {"interrupt_before": ["b"]}
        graph = builder.compile(checkpointer=api.InMemorySaver(), **options)
        seen = {}
        hows = ("replay", "answer", "edit") if paused == "at a question" else ("replay", "edit")
        for how in hows:
            config = thread(how)
            graph.invoke({"log": []}, config)
            head = graph.get_state(config).config
            if how == "edit":
                head = graph.update_state(config, {"log": ["e"]})
            given = api.Command(resume="x") if how == "answer" else None
            seen[how] = (plain(list(graph.stream(given, head))), history(graph, config))
        return seen

    same(scenario)


def test_an_edit_without_as_node_acts_as_the_last_node_that_ran_not_the_last_edit():
    """``update_state(values)`` after an edit made as another node still acts as the node
    that last ran: edits do not count (so after an edit as ``b``, the next plain edit
    sends the thread back to ``b``)."""

    def scenario(api: Api) -> list:
        runs: list[str] = []
        graph = build(api, runs, interrupt_before=["b"])
        config = thread("edits")
        graph.invoke({"trail": ["in"]}, config)
        seen = []
        for values, as_node in ((["e0"], None), (["e1"], None), (["x"], "b"), (["y"], None)):
            graph.update_state(config, {"trail": values}, as_node=as_node)
            seen.append(state(graph, config))
        seen.append(plain(graph.invoke(None, config)))
        return seen

    same(scenario)


def test_an_edit_without_as_node_after_a_fan_out_acts_as_the_sender():
    """After a step only ``Send`` tasks ran, ``update_state(values)`` acts as the node whose
    edge sent them (a ``Send`` task is not a run of its node there), so the fan-out runs
    again; after a step that also ran a plain node, it acts as that node."""

    def scenario(api: Api) -> list:
        builder = api.StateGraph(Log)
        builder.add_node("plan", lambda s: {"log": ["plan"]})
        builder.add_node("work", lambda arg: {"log": [f"work{arg['i']}"]})
        builder.add_node("check", lambda s: {"log": ["check"]})
        builder.add_edge(api.START, "plan")
        builder.add_conditional_edges(
            "plan", lambda s: [api.Send("work", {"i": i}) for i in range(2)], ["work"]
        )
        builder.add_edge("work", "check")
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["check"])
        config = thread("fan-out")
        graph.invoke({"log": []}, config)
        graph.update_state(config, {"log": ["edit"]})
        edited = state(graph, config)
        return [edited, plain(graph.invoke(None, config)), history(graph, config)]

    same(scenario)


def _edit_without_as_node(api: Api, graph, config: dict) -> tuple:
    """``update_state(config, values)``: the next tasks it leads to, or the error's class."""
    try:
        edited = graph.update_state(config, {"trail": ["e"]})
    except api.InvalidUpdateError as exc:
        return ("raised", type(exc).__name__, "Ambiguous update, specify as_node" in str(exc))
    return ("next", graph.get_state(edited).next)


def test_an_edit_without_as_node_of_a_later_runs_input_acts_as_the_last_node():
    """A later run's input checkpoint: no node has run since the previous run's last one,
    so an edit there acts as that node (new input is not a node's run), not as START (which
    would run the graph again from ``a``)."""

    def scenario(api: Api) -> list:
        graph = build(api, [])
        config = thread("runs")
        graph.invoke({"trail": ["1"]}, config)
        graph.invoke({"trail": ["2"]}, config)
        return [
            (snapshot.metadata["step"], _edit_without_as_node(api, graph, snapshot.config))
            for snapshot in graph.get_state_history(config)
        ]

    assert same(scenario)[4] == (4, ("next", ()))


def test_an_edit_without_as_node_after_a_replay_before_any_node_ran_is_ambiguous():
    """A replay of a superseded checkpoint starts from a copy of it (a fork); when no node
    had run on that branch (an edit of the input checkpoint, replayed, whose first node
    asks), an edit of the copy without ``as_node`` cannot be placed: LangGraph raises
    ``Ambiguous update``, and so do we. The same edit before the replay acts as START."""

    def scenario(api: Api) -> list:
        builder = api.StateGraph(Trail)
        builder.add_node("a", lambda s: {"trail": [f"a:{api.interrupt('go?')}"]})
        builder.add_edge(api.START, "a")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("replayed")
        graph.invoke({"trail": ["in"]}, config)
        first = list(graph.get_state_history(config))[-1]  # the input checkpoint
        edited = graph.update_state(first.config, {"trail": ["e0"]})
        graph.update_state(first.config, {"trail": ["e1"]})  # edited is superseded now
        seen = [_edit_without_as_node(api, graph, edited)]
        seen.append(plain(graph.invoke(None, edited)))  # a fork copy of it; a asks
        fork = graph.get_state(config)
        seen.append((fork.metadata["source"], _edit_without_as_node(api, graph, fork.config)))
        return seen

    assert same(scenario)[2] == ("fork", ("raised", "InvalidUpdateError", True))


def test_history_task_results_are_the_runs_not_later_edits_as_the_node():
    """A past checkpoint's task results in ``get_state_history`` are what its run wrote:
    an edit made later from it as the same node (or as START on the input checkpoint)
    forks a branch but does not replace them, as in LangGraph (we showed the edit's)."""

    def scenario(api: Api) -> list:
        graph = build(api, [])
        config = thread("results")
        graph.invoke({"trail": ["in"]}, config)
        past = list(graph.get_state_history(config))
        graph.update_state(past[1].config, {"trail": ["edit-c"]}, as_node="c")
        graph.update_state(past[-1].config, {"trail": ["edit-start"]})
        return [
            (s.metadata["step"], s.metadata["source"], [(t.name, plain(t.result)) for t in s.tasks])
            for s in graph.get_state_history(config)
        ]

    same(scenario)
