"""How ``v4_thread.db`` and ``v4_thread.json`` were made, kept for the record.

Run once with the last release writing schema version 4 (commit c06f15e), from a checkout
of it: ``python make_v4_thread.py v4_thread.db v4_thread.json``. It writes a 6-turn loop,
a fork three checkpoints back continued to the end, and a second thread, then records each
thread's history as that release reads it. Not collected by pytest (no ``test_`` name).
"""

import json
import sqlite3
import sys
from typing import Annotated, TypedDict

from hitl_notebook import END, START, StateGraph, add_messages
from hitl_notebook.checkpoint.sqlite import SqliteSaver


class Loop(TypedDict):
    messages: Annotated[list, add_messages]


def graph(saver, turns):
    return (
        StateGraph(Loop)
        .add_node(
            "talk", lambda s: {"messages": [{"role": "ai", "content": f"m{len(s['messages'])}"}]}
        )
        .add_edge(START, "talk")
        .add_conditional_edges("talk", lambda s: "talk" if len(s["messages"]) < turns else END)
        .compile(checkpointer=saver)
    )


def history(g, cfg):
    return [
        [
            s.config["configurable"]["checkpoint_id"],
            s.parent_config and s.parent_config["configurable"]["checkpoint_id"],
            [[m.type, m.content, m.id] for m in s.values.get("messages", [])],
            list(s.next),
            s.metadata.get("step"),
            s.metadata.get("source"),
            s.created_at,
        ]
        for s in g.get_state_history(cfg)
    ]


def main(path: str, expected: str) -> None:
    saver = SqliteSaver(path)
    g = graph(saver, 6)
    cfg = {"configurable": {"thread_id": "t"}}
    g.invoke({"messages": []}, cfg)
    past = list(g.get_state_history(cfg))[3].config
    forked = g.update_state(past, {"messages": [{"role": "user", "content": "fork"}]})
    g.invoke(None, forked)
    cfg2 = {"configurable": {"thread_id": "other thread"}}
    graph(saver, 2).invoke({"messages": []}, cfg2)
    saver.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    found = {
        "t": history(graph(SqliteSaver(path), 6), cfg),
        "other thread": history(graph(SqliteSaver(path), 2), cfg2),
    }
    with open(expected, "w") as out:
        json.dump(found, out, indent=0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
