"""Response forms chosen from interrupt payloads, and answer checks before resuming."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hitl_notebook.widgets.forms import check_answer, interrupt_spec

HITL_REQUEST = {
    "action_requests": [
        {"name": "send_email", "args": {"to": "a@b.c"}, "description": "Send it?"},
        {"name": "delete", "args": {"path": "/"}},
    ],
    "review_configs": [
        {"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject"]},
        {"action_name": "delete", "allowed_decisions": ["approve", "reject"]},
    ],
}


def spec_of(value, response_schema=None):
    return interrupt_spec(
        SimpleNamespace(id="i1", value=value, response_schema=response_schema), "node"
    )


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("Your name?", "text"),
        ({"question": "Go?", "options": ["yes", "no"]}, "options"),
        ({"options": []}, "json"),
        ({"anything": [1, 2]}, "json"),
        (42, "json"),
        (HITL_REQUEST, "hitl"),
        (
            {
                "type": "tool_approval",
                "tool_call_id": "c1",
                "name": "f",
                "args": {},
                "description": "d",
            },
            "tool_approval",
        ),
    ],
)
def test_form_kind_follows_the_payload(value, kind):
    """Each payload shape gets its form: options buttons, review, text box or JSON editor."""
    assert spec_of(value)["kind"] == kind


def test_hitl_request_lists_each_action_with_its_allowed_decisions():
    """Review forms offer only the decisions the middleware's review_configs allow."""
    actions = spec_of(HITL_REQUEST)["actions"]
    assert [(a["name"], a["allowed"]) for a in actions] == [
        ("send_email", ["approve", "edit", "reject"]),
        ("delete", ["approve", "reject"]),
    ]


def test_tool_approval_reads_allowed_decisions_from_the_response_schema():
    """A per-call request's JSON Schema limits the decision buttons."""
    schema = {
        "oneOf": [
            {"properties": {"type": {"const": "approve"}}},
            {"properties": {"type": {"const": "respond"}}},
        ]
    }
    value = {
        "type": "tool_approval",
        "tool_call_id": "c1",
        "name": "ask",
        "args": {},
        "description": "",
    }
    assert spec_of(value, schema)["actions"][0]["allowed"] == ["approve", "respond"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"decisions": [{"type": "approve"}]}, "2 actions await review but 1 decisions"),
        ([{"type": "approve"}], 'needs {"decisions"'),
        (
            {
                "decisions": [
                    {"type": "approve"},
                    {"type": "edit", "edited_action": {"name": "delete", "args": {}}},
                ]
            },
            "'edit' is not allowed",
        ),
        ({"decisions": [{"type": "edit"}, {"type": "approve"}]}, "edited_action"),
        ({"decisions": [{"type": "maybe"}, {"type": "approve"}]}, "type one of"),
    ],
)
def test_malformed_review_answers_are_refused_before_resuming(answer, message):
    """A bad review answer is a precise error, so the interrupt is not consumed."""
    with pytest.raises(ValueError, match=message):
        check_answer(spec_of(HITL_REQUEST), answer)


def test_valid_review_answer_passes():
    """The documented decision shapes are accepted as they are."""
    check_answer(
        spec_of(HITL_REQUEST),
        {
            "decisions": [
                {"type": "edit", "edited_action": {"name": "send_email", "args": {"to": "x"}}},
                {"type": "reject", "message": "no"},
            ]
        },
    )
