"""The thread widget on a thread of a real LangGraph API server (``langgraph dev``).

Every check of what happened reads the server through the SDK alone, so a test passes only
when the server really holds what the widget shows.
"""

from __future__ import annotations

import socket
import sys
import time

import pytest

from hitl_notebook.widgets import ServerError, StaleWidgetError, show
from hitl_notebook.widgets.server_runtime import ServerRuntime
from hitl_notebook.widgets.session import ActionError, Session

pytestmark = pytest.mark.server


def _history(sdk, thread_id: str) -> list[dict]:
    return sdk.threads.get_history(thread_id, limit=1000)


def _wait_for_run(sdk, thread_id: str, run_id: str, status: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = sdk.runs.get(thread_id, run_id)
        if run["status"] == status or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_show_creates_a_server_thread_and_runs_to_the_interrupt(server_url, sdk):
    """thread_id=None creates the thread on the server; run() stops at the question, which
    the panel offers as options; the server's thread is paused on the same interrupt."""
    w = show(server_url, assistant_id="review")
    assert sdk.threads.get(w.thread_id)["thread_id"] == w.thread_id
    assert w.status == "new" and w.nodes == ["write", "review", "publish"]

    w.run({"topic": "cats"})

    server = sdk.threads.get_state(w.thread_id)
    assert server["next"] == ["review"]
    [pending] = w.interrupts
    assert pending["kind"] == "options" and pending["options"] == ["approve", "reject"]
    assert pending["id"] == server["interrupts"][0]["id"]
    assert w.status == "interrupted"
    assert w.node_status == {"write": "visited", "review": "interrupted"}
    assert w.history_size == len(_history(sdk, w.thread_id))


def test_edit_then_answer(server_url, sdk):
    """The server stops listing the question after a state edit but accepts the answer:
    the widget keeps showing the question (as for a local graph), resume() sends the
    answer, and the node runs on the edited state."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "dogs"})
    w.update_state({"draft": "An edited note."}, as_node="write")

    assert sdk.threads.get_state(w.thread_id)["interrupts"] == []
    [kept] = w.interrupts
    assert kept["carried"] is True and w.status == "interrupted"

    w.resume("approve")

    values = sdk.threads.get_state(w.thread_id)["values"]
    assert values["verdict"] == "approve"
    assert values["log"][-1] == "publish:approve:An edited note."
    assert w.status == "done" and w.interrupts == []


def test_an_edit_naming_an_unknown_key_is_refused(server_url, sdk):
    """The server would drop a key outside the state schema silently; the widget names it
    and writes nothing."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "crows"})
    before = _history(sdk, w.thread_id)
    with pytest.raises(ActionError, match="'drfat' not in the state of graph 'review'.*draft"):
        w.update_state({"drfat": "typo"})
    assert _history(sdk, w.thread_id) == before
    assert w.status == "interrupted"


def test_fork_a_past_checkpoint_keeps_history(server_url, sdk):
    """fork() writes a new branch on the server from a past checkpoint; the old
    checkpoints are all still there."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "owls"})
    w.resume("reject")
    before = {h["checkpoint_id"] for h in _history(sdk, w.thread_id)}
    after_write = next(
        h for h in _history(sdk, w.thread_id) if h["next"] == ["review"] and h["values"]["draft"]
    )

    w.fork(after_write["checkpoint_id"], {"draft": "Forked note."}, as_node="write")

    history = _history(sdk, w.thread_id)
    assert before < {h["checkpoint_id"] for h in history}
    head = sdk.threads.get_state(w.thread_id)
    assert head["parent_checkpoint"]["checkpoint_id"] == after_write["checkpoint_id"]
    assert head["values"]["draft"] == "Forked note." and head["next"] == ["review"]
    assert w.history_size == len(history)


def test_replay_runs_again_from_a_past_checkpoint(server_url, sdk):
    """replay() streams a run from a past checkpoint: the question is asked again on a new
    branch, and the timeline counts every checkpoint the server holds."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "bees"})
    w.resume("approve")
    start = next(h for h in _history(sdk, w.thread_id) if h["next"] == ["write"])

    w.replay(start["checkpoint_id"])

    head = sdk.threads.get_state(w.thread_id)
    assert head["next"] == ["review"] and w.status == "interrupted"
    assert w.history_size == len(_history(sdk, w.thread_id))


def test_history_pages_past_the_sdks_ten(server_url, sdk):
    """The SDK returns 10 states by default; the timeline shows every checkpoint."""
    w = show(server_url, assistant_id="counter")
    w.run({"n": 0, "limit": 14})
    server_count = len(_history(sdk, w.thread_id))
    assert server_count > 10
    assert w.history_size == server_count
    page = w.session.handle({"type": "query", "request_id": 1, "query": "history", "args": {}})
    assert page["result"]["size"] == server_count and len(page["result"]["items"]) == server_count
    assert sdk.threads.get_state(w.thread_id)["values"]["n"] == 14


def test_a_thread_made_by_the_sdk_alone_then_shown(server_url, sdk):
    """Seed 002's graph run to its interrupt by the SDK, then shown from an SDK client and
    answered from the widget: the server holds the answer."""
    thread_id = sdk.threads.create()["thread_id"]
    sdk.runs.wait(thread_id, "agent", input={"some_text": "original text"})

    w = show(sdk, assistant_id="agent", thread_id=thread_id)
    [pending] = w.interrupts
    assert pending["value"] == {"text_to_revise": "original text"}
    w.resume("Edited text")

    assert sdk.threads.get_state(thread_id)["values"] == {"some_text": "Edited text"}


def test_browser_resume_message_answers_the_server(server_url, sdk):
    """The browser's resume action (answers by interrupt id, based on the head shown)
    reaches the server."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "ants"})
    [pending] = w.interrupts
    reply = w.session.handle(
        {
            "type": "action",
            "request_id": 7,
            "action": "resume",
            "args": {"answers": {pending["id"]: "approve"}},
            "base": w.head["id"],
        }
    )
    assert reply["ok"] is True, reply
    assert w.wait(60), "the run a browser action starts goes on in the background"
    assert sdk.threads.get_state(w.thread_id)["values"]["verdict"] == "approve"


def test_an_answer_given_elsewhere_is_noticed_and_not_given_twice(server_url, sdk):
    """Another client answers while the widget is open: the widget's own answer is refused
    as stale, nothing runs twice, and the widget now shows the answered thread."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "moths"})
    sdk.runs.wait(w.thread_id, "review", command={"resume": "reject"})

    with pytest.raises(StaleWidgetError, match="moved on"):
        w.resume("approve")

    values = sdk.threads.get_state(w.thread_id)["values"]
    assert [entry for entry in values["log"] if entry.startswith("publish")] == [
        "publish:reject:A note about moths."
    ]
    assert w.status == "done" and "moved on" in w.notice


def test_a_browser_answer_after_another_clients_answer_is_stale(server_url, sdk):
    """The browser answers from the checkpoint it showed; another client answered first:
    the reply is ``stale``, the notice says the thread moved on, and the server ran the
    node once, with the other client's answer."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "voles"})
    shown, [pending] = w.head["id"], w.interrupts
    sdk.runs.wait(w.thread_id, "review", command={"resume": "reject"})

    reply = w.session.handle(
        {
            "type": "action",
            "request_id": 3,
            "action": "resume",
            "args": {"answers": {pending["id"]: "approve"}},
            "base": shown,
        }
    )

    assert reply["ok"] is False and reply["kind"] == "stale" and "moved on" in reply["error"]
    w.wait(60)
    values = sdk.threads.get_state(w.thread_id)["values"]
    assert values["verdict"] == "reject" and values["log"].count("review") == 1
    assert w.status == "done" and "moved on" in w.notice


def test_stop_cancels_the_server_run(server_url, sdk):
    """stop() cancels the run in flight on the server thread (whoever started it)."""
    w = show(server_url, assistant_id="slow")
    run = sdk.runs.create(w.thread_id, "slow", input={"seconds": 60})
    assert _wait_for_run(sdk, w.thread_id, run["run_id"], "running")["status"] == "running"

    w.refresh()
    assert w.status == "running", "a run started elsewhere shows as running"

    assert w.stop() == [run["run_id"]]
    assert w.status != "running"

    assert sdk.runs.get(w.thread_id, run["run_id"])["status"] == "interrupted"
    assert sdk.runs.list(w.thread_id, status="running") == []


def test_stop_from_the_browser_cancels_the_widgets_own_server_run(server_url, sdk):
    """A run the widget's Run button started streams in the background; the Stop button
    cancels it on the server, and the widget ends it as stopped (a notice, the node still
    next), not as a failure."""
    w = show(server_url, assistant_id="slow")
    started = w.session.handle(
        {
            "type": "action",
            "request_id": 1,
            "action": "run",
            "args": {"input": {"seconds": 60}},
            "base": None,
        }
    )
    assert started["ok"] and started["result"]["running"], started
    deadline = time.monotonic() + 60
    while not sdk.runs.list(w.thread_id, status="running"):
        assert time.monotonic() < deadline, "the widget's run never started on the server"
        time.sleep(0.1)
    [server_run] = sdk.runs.list(w.thread_id, status="running")

    reply = w.session.handle({"type": "action", "request_id": 2, "action": "stop", "args": {}})

    assert reply["ok"], reply
    assert w.wait(30), "the widget's run did not end after Stop"
    assert sdk.runs.get(w.thread_id, server_run["run_id"])["status"] == "interrupted"
    assert sdk.runs.list(w.thread_id, status="running") == []
    assert w.status == "paused" and w.error == "", (w.status, w.error)
    assert w.progress["active"] is False and w.notice.startswith("Stopped at step 0")
    # The server records the cancelled node's task as CancelledError: not drawn as a failure.
    assert w.node_status == {"wait": "next"}


def test_a_second_run_in_flight_gets_the_servers_refusal(server_url, sdk):
    """A run while another is in flight is refused by the server (multitask 'reject');
    the refusal is shown as the server's answer and no second run exists."""
    w = show(server_url, assistant_id="slow")
    run = sdk.runs.create(w.thread_id, "slow", input={"seconds": 60})
    _wait_for_run(sdk, w.thread_id, run["run_id"], "running")
    while sdk.threads.get_state(w.thread_id)["next"] != ["wait"]:
        time.sleep(0.1)
    w.refresh()  # the widget shows the run's first checkpoint, so it is not stale
    try:
        with pytest.raises(ServerError, match="already in flight"):
            w.run({"seconds": 0})
        assert "already in flight" in w.error
        assert [r["run_id"] for r in sdk.runs.list(w.thread_id)] == [run["run_id"]]
    finally:
        sdk.runs.cancel(w.thread_id, run["run_id"], wait=True)


def test_subgraph_drawing_status_and_answer(server_url, sdk):
    """The diagram comes from the server's drawing with subgraph nodes; an interrupt
    inside the subgraph is shown on its node and answered."""
    w = show(server_url, assistant_id="nested")
    assert "child:inner_ask" in w.nodes and 'data-cluster="child"' in w.graph_svg
    w.run({"text": ""})
    [pending] = w.interrupts
    assert pending["value"] == {"question": "Inner question?"}
    assert w.node_status["child:inner_ask"] == "interrupted"
    w.resume("yes")
    assert sdk.threads.get_state(w.thread_id)["values"]["text"] == "prepared:yes"


def test_live_node_status_while_the_run_streams(server_url):
    """Node status arrives from the run's stream as tasks start and end."""
    seen: list[dict] = []

    class Recorder:
        def set_traits(self, **changes):
            if "node_status" in changes:
                seen.append(dict(changes["node_status"]))

        def send(self, message):
            pass

    runtime = ServerRuntime(server_url, "review")
    session = Session(runtime, thread_id=runtime.new_thread_id(), listener=Recorder())
    session.run({"topic": "wasps"})
    assert {"write": "running"} in seen
    assert {"write": "visited", "review": "running"} in seen


def test_tokens_stream_into_the_run_panel_as_they_arrive(server_url, sdk):
    """A chat model's answer on the server streams to the run panel (``tokens``
    messages, pieces batched every 50 ms) before the run ends; together the pieces are
    the stored message."""
    sent: list[dict] = []
    w = show(server_url, assistant_id="chat")
    w.send = sent.append  # what the browser would receive
    w.run({"messages": [{"role": "user", "content": "hi"}]})

    tokens = [i["text"] for m in sent if m.get("type") == "tokens" for i in m["items"]]
    assert tokens and all(i["node"] for m in sent if m.get("type") == "tokens" for i in m["items"])
    stored = sdk.threads.get_state(w.thread_id)["values"]["messages"][-1]["content"]
    assert "".join(tokens) == stored == "Tokens arrive one by one"
    # All pieces reach the browser before the refresh that follows the run's end.
    token_at = [i for i, m in enumerate(sent) if m.get("type") == "tokens"]
    history_at = [i for i, m in enumerate(sent) if m.get("type") == "history"]
    assert history_at and max(token_at) < history_at[0]


def test_follow_shows_a_run_started_elsewhere_live(server_url, sdk):
    """follow() joins a run another client started (runs.join_stream): node status arrives
    while it runs, and the widget ends on the state the run left."""
    seen: list[dict] = []
    w = show(server_url, assistant_id="slow")
    w.observe(lambda change: seen.append(dict(change["new"])), names="node_status")
    run = sdk.runs.create(w.thread_id, "slow", input={"seconds": 1.5}, stream_mode=["tasks"])

    w.follow()

    assert sdk.runs.get(w.thread_id, run["run_id"])["status"] == "success"
    assert {"wait": "running"} in seen
    assert w.status == "interrupted" and w.interrupts[0]["value"] == "Anything to add?"


def test_follow_with_nothing_in_flight_just_refreshes(server_url, sdk):
    """follow() on an idle thread returns at once with the thread's state."""
    w = show(server_url, assistant_id="review")
    sdk.runs.wait(w.thread_id, "review", input={"topic": "idle"})
    w.follow()
    assert w.status == "interrupted"


def test_thread_picker_searches_by_metadata_and_status(server_url, sdk):
    """The picker lists the graph's server threads; metadata and status narrow it."""
    tagged = sdk.threads.create(metadata={"team": "h13-picker"}, graph_id="review")["thread_id"]
    sdk.runs.wait(tagged, "review", input={"topic": "picker"})
    w = show(server_url, assistant_id="review", thread_id=tagged)

    found = w.search_threads(metadata={"team": "h13-picker"})
    assert [t["thread_id"] for t in found] == [tagged] and w.threads == found
    assert found[0]["status"] == "interrupted"
    interrupted = {t["thread_id"] for t in w.search_threads(status="interrupted")}
    assert tagged in interrupted
    assert tagged not in {t["thread_id"] for t in w.search_threads(status="idle")}


def test_picker_query_shows_metadata_and_picking_shows_the_thread(server_url, sdk):
    """The browser's ``threads`` query with filters lists matching server threads with
    their own metadata (not the server's graph_id); picking one shows its question."""
    tag = {"team": "h13-pick", "run": str(time.time_ns())}
    made = sdk.threads.create(metadata=tag, graph_id="review")["thread_id"]
    sdk.runs.wait(made, "review", input={"topic": "terns"})
    w = show(server_url, assistant_id="review")
    assert w.thread_search is True
    page = w.session.handle(
        {"type": "query", "request_id": 1, "query": "threads", "args": {"metadata": tag}}
    )
    assert page["ok"], page
    [found] = page["result"]
    assert found["thread_id"] == made and found["status"] == "interrupted"
    assert found["metadata"] == tag and w.threads == page["result"]

    w.select_thread(made)

    assert w.thread_id == made and w.status == "interrupted"
    assert w.interrupts[0]["value"]["draft"] == "A note about terns."
    assert w.history_size == len(_history(sdk, made))


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"status": "paused"}, "'paused' is not one of: idle, busy, interrupted, error"),
        ({"metadata": ["team"]}, "metadata must map keys to values, not list"),
    ],
)
def test_a_bad_thread_search_is_refused_by_name(server_url, filters, message):
    """A status the server does not know, or metadata that is not a mapping, is named."""
    w = show(server_url, assistant_id="review")
    reply = w.session.handle(
        {"type": "query", "request_id": 1, "query": "threads", "args": filters}
    )
    assert reply["ok"] is False and message in reply["error"]
    with pytest.raises(ActionError, match=message.replace("(", r"\(")):
        w.search_threads(**filters)


def test_a_closed_port_fails_fast_naming_the_url():
    """Nothing listens: show() fails within seconds with the URL in the message."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    with pytest.raises(ConnectionError, match=f"no LangGraph API server answers at {url}"):
        show(url, assistant_id="agent")
    assert time.monotonic() - started < 10


def test_a_port_that_never_answers_fails_within_the_timeout():
    """Something accepts the connection but never answers: show() gives up after its
    timeout of a few seconds, naming the URL, instead of hanging."""
    from hitl_notebook.widgets.server_connect import CONNECT_TIMEOUT

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # the kernel completes the handshake; nobody ever reads or replies
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(ConnectionError, match=f"no LangGraph API server answers at {url}"):
            show(url, assistant_id="agent")
        assert time.monotonic() - started < CONNECT_TIMEOUT + 5


def test_a_wrong_url_says_it_is_not_a_langgraph_server(server_url):
    """A URL that answers but is not the API root is named, with what /ok answered."""
    with pytest.raises(ConnectionError, match="does not look like a LangGraph API server"):
        show(server_url + "/not-here", assistant_id="agent")


def test_not_a_url():
    """A string that is not an http(s) URL is refused before any request."""
    with pytest.raises(ValueError, match="not an http\\(s\\) URL"):
        show("localhost:2024", assistant_id="agent")


def test_a_missing_assistant_names_the_servers_assistants(server_url):
    """A wrong assistant id lists what the server has."""
    with pytest.raises(
        LookupError,
        match="no assistant .agnet. on .*; it has: agent, chat, counter, flaky, nested, review, slow$",
    ):
        show(server_url, assistant_id="agnet")


def test_several_graphs_need_an_assistant_id(server_url):
    """Without assistant_id a server with several graphs asks for one, naming them."""
    with pytest.raises(ValueError, match="pass assistant_id= one of: agent"):
        show(server_url)


def test_resume_with_nothing_pending_is_refused(server_url, sdk):
    """An answer with no question pending changes nothing on the server."""
    w = show(server_url, assistant_id="review")
    with pytest.raises(ActionError, match="no interrupt is pending"):
        w.resume("approve")
    assert _history(sdk, w.thread_id) == []


def test_server_options_only_for_a_server():
    """assistant_id= with a local graph is a mistake, said at the call."""
    from hitl_notebook import START, InMemorySaver, StateGraph

    graph = StateGraph(dict).add_node("a", lambda s: {}).add_edge(START, "a")
    with pytest.raises(TypeError, match="for a LangGraph API server URL"):
        show(graph.compile(checkpointer=InMemorySaver()), assistant_id="agent")


def test_without_the_sdk_the_message_names_the_extra(monkeypatch):
    """Without langgraph-sdk installed, show(url) says which extra installs it."""
    monkeypatch.setitem(sys.modules, "langgraph_sdk", None)
    with pytest.raises(ImportError, match=r"pip install 'hitl-notebook\[server\]'"):
        show("http://127.0.0.1:2024", assistant_id="agent")


def test_a_node_error_on_the_server_is_shown(server_url, sdk):
    """A node raising on the server fails the call with the server's message, and the
    widget shows the error state."""
    w = show(server_url, assistant_id="flaky")
    with pytest.raises(ServerError, match="cannot handle 'x'"):
        w.run({"text": "x"})
    assert "cannot handle 'x'" in w.error
    assert w.status == "error"
    assert sdk.threads.get(w.thread_id)["status"] == "error"


def test_an_unknown_thread_is_named(server_url):
    """A thread id the server does not have fails at show(), naming the thread."""
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(ServerError, match=f"404.*{missing}"):
        show(server_url, assistant_id="review", thread_id=missing)


def test_an_async_client_is_refused_with_the_fix(server_url):
    """The widget makes blocking calls: an async SDK client is refused, naming the sync one."""
    from langgraph_sdk import get_client

    with pytest.raises(TypeError, match="get_sync_client"):
        show(get_client(url=server_url, api_key=None), assistant_id="review")


def test_headers_and_api_key_reach_the_sdk_client(server_url):
    """headers= and api_key= are set on the SDK client the widget uses."""
    w = show(server_url, assistant_id="review", headers={"x-team": "h13"}, api_key="k-123")
    sent = w.session.runtime.client.http.client.headers
    assert sent["x-team"] == "h13" and sent["x-api-key"] == "k-123"


def test_headers_and_api_key_travel_with_every_request():
    """On the wire: the liveness check and the SDK's calls all carry ``headers=`` and the
    API key (an HTTP endpoint on loopback records what it receives)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[tuple[str, str | None, str | None]] = []

    class Recorder(BaseHTTPRequestHandler):
        def _answer(self, body: object) -> None:
            received.append((self.path, self.headers.get("x-team"), self.headers.get("x-api-key")))
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer({"ok": True})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer([{"assistant_id": "a-1", "graph_id": "g", "name": "g", "metadata": {}}])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        runtime = ServerRuntime(url, "g", headers={"x-team": "h13"}, api_key="k-123")
    finally:
        server.shutdown()
        server.server_close()
    assert runtime.assistant_id == "a-1"
    assert [path for path, _, _ in received] == ["/ok", "/assistants/search"]
    assert all(team == "h13" and key == "k-123" for _, team, key in received), received
