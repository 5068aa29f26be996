"""The widget's action and query names are defined once per side (the Python tables in
widgets/session.py, the constants in js/src/protocol.js), and the two sides agree."""

import re
from pathlib import Path

from hitl_notebook.widgets.session import ACTIONS, QUERIES

PROTOCOL_JS = Path(__file__).resolve().parents[2] / "js" / "src" / "protocol.js"


def _js_names(table: str) -> set[str]:
    source = PROTOCOL_JS.read_text()
    body = re.search(rf"export const {table} = Object\.freeze\(\{{(.*?)\}}\);", source, re.S)
    assert body, f"js/src/protocol.js defines {table}"
    return set(re.findall(r':\s*"([a-z_]+)"', body.group(1)))


def test_js_actions_are_the_python_actions():
    """Every action the browser can send is one the Session performs, and vice versa."""
    assert _js_names("ACTION") == set(ACTIONS)


def test_js_queries_are_the_python_queries():
    """Every query the browser can send is one the Session answers, and vice versa."""
    assert _js_names("QUERY") == set(QUERIES)


def test_an_unknown_action_or_query_is_refused_by_name(open_widget):
    """A message naming no table entry gets a reply saying which name is unknown."""
    from hitl_notebook import InMemorySaver, StateGraph

    graph = StateGraph(dict).add_node("a", lambda s: s).set_entry_point("a")
    _, browser = open_widget(graph.compile(checkpointer=InMemorySaver()))
    reply = browser.action("explode")
    assert not reply["ok"] and "unknown action 'explode'" in reply["error"]
    reply = browser.query("secrets")
    assert not reply["ok"] and "unknown query 'secrets'" in reply["error"]
