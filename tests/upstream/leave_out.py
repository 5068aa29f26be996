"""LangGraph tests of the selected modules that are out of our scope, grouped by reason.

Left-out tests are deselected: not run, not counted in ``upstream: N/M``. Everything about
interrupts, resume, breakpoints, state edits, history, replay, fork, subgraphs, ``Send``
and streaming stays in scope even when it fails (it goes in ``expected_failures.txt``
instead), so a test is here only when its *subject* is something our engine does not aim
to have. A test that mixes an out-of-scope feature with in-scope behaviour (a breakpoint
test that also draws the graph, an interrupt test that also sets a ``RetryPolicy``) stays.

A pattern is matched with ``fnmatch`` against ``module.py::test_name`` (parameters
stripped); a pattern containing ``[`` names one parametrised case exactly. Every pattern
must match at least one test of the sdist: a stale entry fails the run (and
``tests/test_upstream_harness.py``).
"""

from __future__ import annotations

import fnmatch

__all__ = ["LEAVE_OUT", "leave_out_reason"]

LEAVE_OUT: dict[str, list[str]] = {
    "raw Pregel/NodeBuilder/channels API (graphs built from channels, not StateGraph)": [
        "test_pregel*.py::test_context_json_schema",
        "test_pregel*.py::test_invoke_single_process_*",
        "test_pregel*.py::test_invoke_two_processes_*",
        "test_pregel*.py::test_invoke_many_processes_in_out",
        "test_pregel*.py::test_batch_*_processes_in_out",
        "test_pregel*.py::test_invoke_checkpoint*",
        "test_pregel*.py::test_invoke_join_then_call_other_pregel",
        "test_pregel*.py::test_channel_values",
        "test_pregel.py::test_*update_state_after_*",
        "test_large_cases*.py::test_invoke_two_processes_in_out_interrupt",
    ],
    "DeltaChannel (LangGraph's channel class that stores a key's writes as deltas; our savers store every key as deltas without it, so there is no class to declare)": [
        "test_pregel*.py::test_delta_channel_*",
        "test_subgraph_persistence*.py::test_undeclared_subgraph_read_across_messages_channel_types*",
    ],
    "graph drawing details (get_graph() edges LangGraph infers for a conditional edge without a path map, xray's subgraph __start__/__end__ nodes; StateGraph.channels, with_config)": [
        "test_pregel.py::test_conditional_state_graph_with_list_edge_inputs",
        "test_pregel.py::test_state_graph_w_config_inherited_state_keys",
        "test_pregel.py::test_get_graph_loop",
        "test_pregel.py::test_get_graph_root_channel",
        "test_pregel.py::test_xray_bool",
        "test_pregel.py::test_xray_issue",
        "test_pregel.py::test_xray_lance",
    ],
    "store (LangGraph's long-term memory BaseStore, injected into nodes and tasks as `store`; not built: compile(store=)/entrypoint(store=) raise NotImplementedError)": [
        "test_pregel*.py::test_store_injected*",
        "test_pregel*.py::test_overriding_injectable_args_with_*task*",
    ],
    "cache (CachePolicy/BaseCache: node and task results reused across runs; not built: compile(cache=)/cache_policy= raise NotImplementedError)": [
        "test_pregel*.py::test_in_one_fan_out_state_graph_waiting_edge_multiple",
        "test_pregel*.py::test_multiple_interrupts_functional_cache",
        "test_pregel*.py::test_no_redundant_put_writes_for_cached_task",
    ],
    "node error handlers (add_node(error_handler=): LangGraph runs the handler as a hidden extra task of the failed step with its own writes and chunks; not built: add_node(error_handler=) raises NotImplementedError)": [
        "test_pregel_async.py::test_graph_error_handler_recovers_on_the_executor_path",
        "test_pregel_async.py::test_graph_error_handler_async_runtime_info",
        "test_pregel_async.py::test_node_error_handler_handles_subgraph_internal_failure_async",
        "test_pregel_async.py::test_graph_error_handler_does_not_swallow_interrupt_concurrent",
    ],
    "@task(timeout=) (a time limit per task call; not built: raises NotImplementedError)": [
        "test_pregel_async.py::test_awaited_task_returns_its_value_under_astream_events[asyncio-v1-30]",
        "test_pregel_async.py::test_awaited_task_returns_its_value_under_astream_events[asyncio-v2-30]",
    ],
    "raw checkpointer API internals (savers overriding get_tuple/put/put_writes)": [
        "test_pregel*.py::test_checkpoint_errors",
        "test_pregel_async.py::test_checkpointer_null_pending_writes",
        # savers overriding LangGraph's aput(config, checkpoint, metadata, new_versions);
        # the behaviour (a cancelled call still saves) is tests/differential/test_concurrency
        "test_pregel_async.py::test_checkpoint_put_after_cancellation",
        "test_pregel_async.py::test_checkpoint_put_after_cancellation_stream_anext",
        "test_pregel_async.py::test_checkpoint_put_after_cancellation_stream_events_anext",
    ],
    "LangGraph engine internals (PregelLoop/PregelRunner refcounts, AsyncQueue, PregelNode.copy, read_task_statuses)": [
        "test_pregel*.py::test_pregel_loop_refcount",
        "test_pregel.py::test_pregel_node_copy",
        "test_pregel_async.py::test_astream_waiter_cleanup_on_cancel",
        "test_interrupt_state.py::test_read_task_statuses",
    ],
    "prebuilt create_react_agent (deprecated in LangGraph 1.x for LangChain's create_agent; the test snapshots its schemas, class paths and drawing, no HITL)": [
        "test_large_cases*.py::test_prebuilt_tool_chat",
    ],
}


def leave_out_reason(
    test_id: str, table: dict[str, list[str]] | None = None
) -> tuple[str, str] | None:
    """``(reason, pattern)`` of the first entry of ``table`` (default ``LEAVE_OUT``) matching
    ``test_id`` (``module.py::test_name[params]``), or ``None`` when the test is in scope."""
    base = test_id.split("[", 1)[0]
    for reason, patterns in (LEAVE_OUT if table is None else table).items():
        for pattern in patterns:
            if ("[" in pattern and pattern == test_id) or (
                "[" not in pattern and fnmatch.fnmatchcase(base, pattern)
            ):
                return reason, pattern
    return None
