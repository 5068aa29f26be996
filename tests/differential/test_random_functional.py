"""Random Functional-API programs on LangGraph and on ours.

Each seed builds an ``@entrypoint`` (sync or async) calling random ``@task`` functions in
sequence and in parallel: tasks that ask, fail once, ask and then fail once, call another
task or write to the ``custom`` stream; the body asks too, reads ``previous`` and may return
``entrypoint.final``. Each turn answers what is pending (by interrupt id, or with one
value), continues after a failure, edits the thread with ``update_state``, or replays or
forks a random past checkpoint. Every chunk of ``updates``/``values``/``custom``/``tasks``,
every state and the whole history must match. A fuzz run of these (issue 10's ninth
session) found the differences fixed then; the seeds below each failed before and pass in
every run since. Programs whose outcome depends on thread timing in LangGraph (parallel
tasks that each ask or that both fail) are not generated or not listed.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from .harness import Api, numbered, plain, same

pytestmark = pytest.mark.langgraph

_MODES = ["updates", "values", "custom", "tasks"]
_KINDS = ["plain", "plain", "ask", "fail_once", "ask_then_fail", "nested", "write"]
_ASKING = ("ask", "ask_then_fail")
#: ``(seed, answer by interrupt id)`` pairs that failed before the fixes. Seed 47 is left
#: out: its async body gathers a sync task that asks beside two that fail, and which of
#: them LangGraph's thread pool settles first varies (1 run in 30 on an idle machine).
# fmt: off
SEEDS = [
    *[(s, True) for s in (8, 13, 14, 37, 42, 51, 73, 75, 82, 87, 92, 98, 100)],
    *[(s, False) for s in (3, 11, 16, 44, 48, 61, 64, 65, 71, 93, 106, 110)],
]
# fmt: on


def _spec(seed: int) -> dict:
    rng = random.Random(seed)
    kinds = [rng.choice(_KINDS) for _ in range(rng.randint(1, 4))]
    asks = {
        i
        for i, kind in enumerate(kinds)
        if kind in _ASKING or (kind == "nested" and i and kinds[0] in _ASKING)
    }
    quiet = [i for i in range(len(kinds)) if i not in asks]
    ops: list[tuple] = []
    for _ in range(rng.randint(1, 5)):
        roll = rng.random()
        if roll < 0.4:
            ops.append(("seq", rng.randrange(len(kinds))))
        elif roll < 0.6:
            group = [rng.randrange(len(kinds)) for _ in range(rng.randint(2, 3))]
            first = next((j for j, i in enumerate(group) if i in asks), None)
            group = [  # parallel tasks that each ask: a deliberate difference (README)
                i if i not in asks or j == first else (rng.choice(quiet) if quiet else None)
                for j, i in enumerate(group)
            ]
            kept = [i for i in group if i is not None]
            ops.append(("par", kept) if len(kept) > 1 else ("seq", kept[0]))
        elif roll < 0.8:
            ops.append(("ask",))
        elif roll < 0.9:
            ops.append(("write",))
        else:
            ops.append(("prev",))
    return {
        "kinds": kinds,
        "ops": ops,
        "final": rng.random() < 0.35,
        "is_async": rng.random() < 0.3,
        "async_tasks": rng.random() < 0.5,
        "body_fail_once": rng.random() < 0.1,
    }


def _tasks(api: Api, spec: dict, failed: set) -> list:
    """The spec's tasks; each call's output names the task, its input and its answer."""
    made: list = []

    def step(name: str, kind: str, x: str) -> str:
        out = f"{name}({x})"
        if kind == "ask":
            out += f":{api.interrupt(f'q-{name}-{x}')}"
        elif kind == "fail_once" and (name, x) not in failed:
            failed.add((name, x))
            raise ValueError(f"boom {name} {x}")
        elif kind == "ask_then_fail":
            answer = api.interrupt(f"q-{name}-{x}")
            if (name, x, "after") not in failed:
                failed.add((name, x, "after"))
                raise ValueError(f"boom after {answer}")
            out += f":{answer}"
        elif kind == "write":
            api.get_stream_writer()({"w": name, "x": x})
        return out

    for i, kind in enumerate(spec["kinds"]):
        name, nests = f"t{i}", kind == "nested" and i > 0
        if spec["is_async"] and spec["async_tasks"]:

            async def run(x: str, name: str = name, kind: str = kind, nests: bool = nests):
                out = step(name, kind, x)
                return out + f"[{await made[0](x)}]" if nests else out

        else:

            def run(x: str, name: str = name, kind: str = kind, nests: bool = nests):
                out = step(name, kind, x)
                return out + f"[{made[0](x).result()}]" if nests else out

        made.append(api.task(name=name)(run))
    return made


def _entrypoint(api: Api, spec: dict, failed: set) -> Any:
    tasks = _tasks(api, spec, failed)

    def finish(log: list, previous: Any) -> Any:
        if spec["body_fail_once"] and ("body",) not in failed:
            failed.add(("body",))
            raise RuntimeError("body boom")
        value = {"log": log, "prev": previous}
        return api.entrypoint.final(value=value, save=len(log)) if spec["final"] else value

    def plain_op(op: tuple, j: int, log: list, previous: Any, writer: Any) -> None:
        if op[0] == "ask":
            log.append(f"ans:{api.interrupt(f'body-{j}')}")
        elif op[0] == "write":
            writer({"body": j})
        elif op[0] == "prev":
            log.append(f"prev:{previous!r}"[:60])

    if spec["is_async"]:
        # ``writer`` stays unannotated: LangGraph injects it only unannotated or as StreamWriter.
        async def flow(x: str, *, previous: Any = None, writer) -> Any:
            log = [f"in:{x}"]
            for j, op in enumerate(spec["ops"]):
                if op[0] == "seq":
                    log.append(await tasks[op[1]](f"{x}.{j}"))
                elif op[0] == "par":
                    calls = [tasks[i](f"{x}.{j}.{k}") for k, i in enumerate(op[1])]
                    log.extend(await asyncio.gather(*calls))
                else:
                    plain_op(op, j, log, previous, writer)
            return finish(log, previous)

    else:

        def flow(x: str, *, previous: Any = None, writer) -> Any:
            log = [f"in:{x}"]
            for j, op in enumerate(spec["ops"]):
                if op[0] == "seq":
                    log.append(tasks[op[1]](f"{x}.{j}").result())
                elif op[0] == "par":
                    calls = [tasks[i](f"{x}.{j}.{k}") for k, i in enumerate(op[1])]
                    log.extend(f.result() for f in calls)
                else:
                    plain_op(op, j, log, previous, writer)
            return finish(log, previous)

    return api.entrypoint(checkpointer=api.InMemorySaver())(flow)


def _chunk(chunk: tuple) -> tuple:
    """A stream chunk without what differs by design (ids) or by timing (cache marks)."""
    mode, data = chunk
    if mode == "updates":
        return mode, {k: v for k, v in data.items() if k != "__metadata__"}
    if mode == "tasks":
        data = {k: v for k, v in data.items() if k != "id"}
        if data.get("error") is not None:
            data["error"] = repr(data["error"])
        if "interrupts" in data:
            data["interrupts"] = [
                {k: v for k, v in i.items() if k != "id"} for i in data["interrupts"]
            ]
    return mode, data


def _stream(flow: Any, given: Any, config: dict, is_async: bool) -> list:
    """The call's ``values`` chunks in order, then the others sorted (a task still running
    when the body paused streams after the pause on LangGraph: timing). Each chunk is read
    as it arrives: LangGraph adds ``__interrupt__`` to a ``values`` dict it already sent."""
    if is_async:

        async def drain() -> list:
            return [_chunk(plain(c)) async for c in flow.astream(given, config, stream_mode=_MODES)]

        shown = asyncio.run(drain())
    else:
        shown = [_chunk(plain(c)) for c in flow.stream(given, config, stream_mode=_MODES)]
    return [c for c in shown if c[0] == "values"] + sorted(
        (c for c in shown if c[0] != "values"), key=repr
    )


def _view(snapshot: Any) -> dict:
    metadata = snapshot.metadata or {}
    return {
        "next": tuple(snapshot.next),
        "values": plain(snapshot.values),
        "source": metadata.get("source"),
        "step": metadata.get("step"),
        "tasks": [
            (t.name, tuple(repr(plain(i)) for i in t.interrupts), bool(t.error))
            for t in snapshot.tasks
        ],
    }


def _answer(api: Api, snapshot: Any, turn: int, by_id: bool) -> Any:
    asked = [i for task in snapshot.tasks for i in task.interrupts]
    if len(asked) == 1 and not by_id:
        return api.Command(resume=f"a{turn}")
    order = sorted(repr(i.value) for i in asked)
    return api.Command(resume={i.id: f"a{turn}-{order.index(repr(i.value))}" for i in asked})


def _observe(api: Api, seed: int, by_id: bool) -> list:
    spec, rng, failed = _spec(seed), random.Random(seed * 7 + 3), set()
    flow = _entrypoint(api, spec, failed)
    head: dict = {"configurable": {"thread_id": "t"}}
    config, given, runs, seen = head, "x0", 0, []
    for turn in range(12):
        raised = False
        try:
            seen.append(_stream(flow, given, config, spec["is_async"]))
        except Exception as exc:  # both engines must fail alike
            raised = True
            seen.append(("raised", type(exc).__name__, str(exc)[:80]))
        config, snapshot = head, flow.get_state(head)
        seen.append(("state", _view(snapshot)))
        asked = [i for task in snapshot.tasks for i in task.interrupts]
        roll = rng.random()
        if roll < 0.12:
            value: Any = {"edited": turn}
            if rng.random() >= 0.5:
                value = api.entrypoint.final(value=f"v{turn}", save=f"s{turn}")
            flow.update_state(head, value)
            seen.append(("edited", _view(flow.get_state(head))))
            given = None if rng.random() < 0.5 else f"x{turn}"
        elif roll < 0.24:
            past = rng.choice(list(flow.get_state_history(head)))
            seen.append(("past", _view(past)))
            if rng.random() < 0.5:
                config, given = past.config, None
            else:
                config = flow.update_state(past.config, {"fork": turn})
                seen.append(("forked", _view(flow.get_state(config))))
                given = None if rng.random() < 0.5 else f"x{turn}"
        elif raised and snapshot.next and (by_id or not asked or "body-" in str(asked[-1].value)):
            given = None  # a new answer after the body failed replaces the body's: README
        elif asked:
            given = _answer(api, snapshot, turn, by_id)
        elif snapshot.next:
            given = None
        else:
            runs += 1
            if runs > 2:
                break
            given = f"x{turn}"
    seen.append(("history", [_view(s) for s in flow.get_state_history(head)]))
    return numbered(seen)


@pytest.mark.parametrize(("seed", "by_id"), SEEDS)
def test_random_functional_program(seed: int, by_id: bool):
    """Seed ``seed``'s program, answered by interrupt id or by value, is the same on both."""
    same(lambda api: _observe(api, seed, by_id))
