"""Exploration (temporary)."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GRAPH = '''
from typing import TypedDict
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from hitl_notebook.widgets import show

class State(TypedDict):
    topic: str
    draft: str
    verdict: str

def write_draft(state: State) -> dict:
    return {"draft": f"A short note about {state['topic']}."}

def human_review(state: State) -> dict:
    verdict = interrupt({"question": "Publish this draft?", "draft": state["draft"], "options": ["approve", "reject"]})
    return {"verdict": verdict}

def publish(state: State) -> dict:
    return {"draft": state["draft"] + " [published]"}

builder = StateGraph(State)
builder.add_node("write_draft", write_draft)
builder.add_node("human_review", human_review)
builder.add_node("publish", publish)
builder.add_edge(START, "write_draft")
builder.add_edge("write_draft", "human_review")
builder.add_edge("human_review", "publish")
builder.add_edge("publish", END)
graph = builder.compile(checkpointer=InMemorySaver())
'''

def test_explore(lab):
    lab.open_notebook([GRAPH, 'widget = show(graph, thread_id="e2e")\nwidget.run({"topic": "otters"})\nwidget'])
    out = lab.run_all()
    print(out)
    lab.page.get_by_test_id("hitl-widget").wait_for()
    lab.page.wait_for_timeout(3000)
    lab.screenshot("explore")
    print(lab.page.get_by_test_id("hitl-widget").inner_html()[:6000])
