"""``GraphPlan``: the frozen structure ``compile()`` hands the engine.

The builder stays editable after ``compile()``; the plan copies its nodes, edges, branches,
joins and channels, so editing the builder never changes a compiled graph. The engine reads
only the plan, and the helpers here turn node returns into writes and fold writes into state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import Change, write_order
from ..constants import DEFER_KEY, END, NULL_TASK_ID, ROOT
from ..errors import InvalidUpdateError
from .channels import MISSING, Channel, LastValue, UntrackedChannel

if TYPE_CHECKING:
    from .builder import Branch, NodeSpec, StateGraph

__all__ = ["GraphPlan"]


class GraphPlan:
    """Nodes, edges, branches, joins and channels of one compiled graph (read-only)."""

    #: True when a run's input checkpoint holds the input in the state and schedules the
    #: first nodes itself, without an input task (an entrypoint's, as LangGraph's).
    input_is_state = False
    #: True when a node emits chunks while it runs (an entrypoint's task results), so a
    #: stream passes them on as they come rather than when the step ends.
    streams_while_running = False

    def __init__(self, builder: StateGraph) -> None:
        self.schema = builder.schema
        self.input_schema = builder.input_schema
        self.output_schema = builder.output_schema
        #: What ``context=`` dicts become (see ``engine.context.coerce_context``).
        self.context_schema = builder.context_schema
        self.nodes: dict[str, NodeSpec] = dict(builder.nodes)
        self.branches: dict[str, tuple[Branch, ...]] = {
            k: tuple(v) for k, v in builder.branches.items()
        }
        self.joins: tuple[tuple[tuple[str, ...], str], ...] = tuple(builder.joins)
        self.edges: tuple[tuple[str, str], ...] = tuple(builder._edge_order)
        self.channels: dict[str, Channel] = dict(builder.schema.channels)
        #: The input schema of each node that reads its own (``add_node(input_schema=...)``).
        self.node_schemas = {
            name: spec.input_schema
            for name, spec in self.nodes.items()
            if spec.input_schema is not None
        }
        for extra in (builder.input_schema, builder.output_schema, *self.node_schemas.values()):
            for key, channel in extra.channels.items() if extra else ():
                self.channels.setdefault(key, channel)
        #: ``StateGraph(dict)`` and non-dict schemas: any key is a plain value.
        self.dynamic_keys = not self.channels
        #: Keys only an input schema declares: state keys, but not in the run's output.
        self._input_only = frozenset(self.channels) - frozenset(builder.schema.channels)
        #: Hidden bookkeeping keys (``__join__N``) this graph adds to its values; when the
        #: schema itself may hold ``__`` keys, every key must be checked instead.
        self.join_keys = tuple(f"__join__{i}" for i in range(len(self.joins)))
        #: What a join target's tasks report as their triggers (LangGraph's channel names:
        #: ``branch:to:<node>`` and a ``join:<a>+<b>:<node>`` per waiting edge), by node.
        self.join_triggers: dict[str, tuple[str, ...]] = {}
        for sources, target in self.joins:
            known = self.join_triggers.get(target, (f"branch:to:{target}",))
            join_channel = f"join:{'+'.join(sources)}:{target}"
            self.join_triggers[target] = tuple(sorted({*known, join_channel}))
        #: Nodes added with ``defer=True``: triggered, they wait (in the hidden ``__defer__``
        #: key) until a step leaves no other node to run.
        self.deferred = frozenset(name for name, spec in self.nodes.items() if spec.defer)
        self.hidden_keys = (*self.join_keys, DEFER_KEY) if self.deferred else self.join_keys
        #: True when routing needs neither join nor deferral bookkeeping (the fast path).
        self.plain_routing = not self.hidden_keys
        self._scan_hidden = self.dynamic_keys or any(
            k.startswith("__") and k != ROOT for k in self.channels
        )
        #: A node reads a plain copy of the state (no own input schema, no hidden key to
        #: drop, a dict view): ``node_input``'s shortcut, taken every step.
        self._input_is_copy = (
            self.schema.views_as_dict
            and not self.node_schemas
            and not self.hidden_keys
            and not self._scan_hidden
        )
        self._preparing = {k: c for k, c in self.channels.items() if c.prepares_writes}
        #: Whether some key's writes are prepared (``prepare_writes`` may change them).
        self.prepares_writes = bool(self._preparing)
        #: A node's returned dict is its writes as they are (not a root state's one value).
        self.dict_writes = not builder.schema.is_root
        #: ``UntrackedValue`` keys: held during a run, never stored.
        self.untracked = frozenset(
            k for k, c in self.channels.items() if isinstance(c, UntrackedChannel)
        )
        self.node_order: list[str] = list(self.nodes)
        #: Each node's ``RetryPolicy`` tuple; nodes that are never retried are absent.
        self.retry_policies: dict[str, tuple] = {
            name: policies
            for name, spec in self.nodes.items()
            if (policies := spec.retry_policy or builder.default_retry_policy)
        }
        self._node_index = {n: i for i, n in enumerate(self.node_order)}
        #: Compiled graphs that a node's function was seen invoking, by node name (a node
        #: that *is* a compiled graph, or whose function refers to one by name, is known
        #: from the start: ``nodes[name].subgraph``, ``.refers_to``).
        self.called_subgraphs: dict[str, Any] = {
            n: s.subgraph or s.refers_to for n, s in self.nodes.items() if s.subgraph or s.refers_to
        }
        self.static_targets: dict[str, tuple[str, ...]] = {}
        for source, target in self.edges:
            if target != END:
                self.static_targets[source] = (*self.static_targets.get(source, ()), target)

    def async_branches(self, node: str) -> bool:
        """True when a conditional edge after ``node`` is an async function."""
        return any(b.is_async for b in self.branches.get(node, ()))

    def node_index(self, name: str) -> int:
        return self._node_index.get(name, len(self._node_index))

    def initial_values(self) -> dict[str, Any]:
        out = {}
        for key, channel in self.channels.items():
            value = channel.initial()
            if value is not MISSING:
                out[key] = value
        return out

    def channel(self, key: str) -> Channel:
        channel = self.channels.get(key)
        if channel is None:
            if key.startswith("__join__") or key == DEFER_KEY or self.dynamic_keys:
                return LastValue(key)
            raise InvalidUpdateError(f"Unknown state key '{key}'.")
        return channel

    def check_keys(self, items: list[tuple[str, Any]], who: str) -> None:
        if self.dynamic_keys:
            return
        for key, _ in items:
            if key not in self.channels:
                raise InvalidUpdateError(
                    f"{who} wrote key '{key}', which is not in the state schema "
                    f"(keys: {', '.join(self.channels)}). Add it to the schema or stop writing it."
                )

    def prepare_writes(self, writes: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """``writes`` with each value in the form its channel folds in (``add_messages``
        keys: messages with ids), done once per task so that its routing preview and the
        step's commit see the same messages. Returns ``writes`` itself when nothing changes."""
        preparing = self._preparing
        if not preparing or not any(key in preparing for key, _ in writes):
            return writes
        return [
            (key, preparing[key].prepare(value)) if key in preparing else (key, value)
            for key, value in writes
        ]

    def apply_writes(
        self, values: dict[str, Any], writes: list[tuple[str, Any]], *, remember: bool = True
    ) -> tuple[dict, dict[str, Change]]:
        """Fold one step's writes (in task order) into new values; also the per-key changes."""
        grouped: dict[str, list[Any]]
        if len(writes) == 1:  # the usual step: one key written
            grouped = {writes[0][0]: [writes[0][1]]}
        else:
            grouped = {}
            for key, value in writes:
                grouped.setdefault(key, []).append(value)
        new_values = dict(values)
        changes: dict[str, Change] = {}
        channels = self.channels
        for key, items in grouped.items():
            channel = channels.get(key) or self.channel(key)
            new_values[key], changes[key] = channel.reduce(
                values.get(key, MISSING), items, remember
            )
        return new_values, changes

    def input_dict(self, input: Any, *, nested: bool = False) -> dict:
        """The run's input as ``{key: value}``; keys outside the input schema are dropped,
        as LangGraph drops them."""
        schema = self.input_schema or self.schema
        data = schema.coerce_input(input)
        if self.dynamic_keys or data.keys() <= self.channels.keys():  # nothing to drop
            return dict(data)
        return {k: v for k, v in data.items() if k in self.channels}

    def update_writes(self, values: Any, as_node: str) -> list[tuple[str, Any]]:
        if values is None:
            return []
        if isinstance(values, (list, tuple)) and all(
            isinstance(p, tuple) and len(p) == 2 for p in values
        ):
            items = list(values)
        else:
            items = list(self.schema.coerce_input(values).items())
        self.check_keys(items, f"update_state(as_node={as_node!r})")
        return items

    def values_with_finished_tasks(
        self, record: Any, unrouted: Mapping[str, list] | None = None
    ) -> dict:
        """A paused step's values with the writes of the tasks that already finished
        (applied again for real when the step completes), and, by task id, the
        ``unrouted`` writes of tasks whose routing asked (shown, never stored)."""
        outcomes = record.outcomes
        if not unrouted:
            for outcome in outcomes.values():  # (a loop: the usual pause has no writes)
                if outcome.writes:
                    break
            else:
                return record.values  # nothing finished wrote anything
        unrouted = unrouted or {}

        def shown(task_id: str) -> Sequence:
            outcome = outcomes.get(task_id)
            if outcome is not None and outcome.writes:
                return outcome.writes
            return unrouted.get(task_id, ())

        values = record.values
        given = outcomes.get(NULL_TASK_ID)  # a Command's update given as input: folded in first
        finished = [w for p in sorted(record.next, key=write_order) for w in shown(p.id)]
        try:
            if given is not None and given.writes:
                values, _ = self.apply_writes(values, given.writes, remember=False)
            if finished:
                values, _ = self.apply_writes(values, finished, remember=False)
        except InvalidUpdateError:  # conflicting writes: the commit will report it
            return record.values
        return values

    def node_input(self, node: str, values: dict) -> Any:
        """What ``node`` receives: the state as the state schema shows it, or only the keys
        of the node's own input schema (as a dict, or that schema's object)."""
        if self._input_is_copy:
            return dict(values)
        schema = self.node_schemas.get(node)
        if schema is None:
            return self.schema.node_view(self.visible_values(values))
        channels = schema.channels
        return schema.node_view({k: v for k, v in values.items() if k in channels})

    def result_view(self, writes: list[tuple[str, Any]]) -> dict:
        """A task's writes as the ``tasks``/``debug`` streams show its result."""
        from ..engine.snapshot import writes_view

        return writes_view(writes)

    def shown_input(self, node: str, values: dict) -> Any:
        """What the ``tasks``/``debug`` streams show as the node's input."""
        return self.node_input(node, values)

    def visible_values(self, values: dict) -> dict:
        """A new dict of ``values`` without the hidden ``__`` keys: what a node reads. Runs
        every step, so it pops the known join keys instead of testing every key."""
        if self._scan_hidden:
            return {k: v for k, v in values.items() if not k.startswith("__")}
        visible = dict(values)
        for key in self.hidden_keys:
            visible.pop(key, None)
        return visible

    def output_values(
        self, values: dict, *, for_state: bool = False, streamed: bool = False
    ) -> Any:
        """The values a run returns (``for_state``: a snapshot shows; ``streamed``: the
        ``values`` stream shows, the state's keys whatever the output schema), keyed in the
        order the schema declares them, as LangGraph's channels are (not in the order they
        were first written)."""
        schema = self.output_schema
        if (
            not for_state
            and (schema is None or streamed)
            and not self._input_only
            and not self._scan_hidden
        ):
            # The usual: the state's keys in the schema's order, in one pass when the
            # values hold no other key (hidden or undeclared) to drop or append.
            ordered = {k: values[k] for k in self.channels if k in values}
            if len(ordered) == len(values):
                return self.schema.output_view(ordered)
        visible = self.visible_values(values)
        if for_state:
            return self.schema.output_view(_in_order(visible, self.channels))
        if schema is None or streamed:
            if self._input_only:
                visible = {k: v for k, v in visible.items() if k not in self._input_only}
            return self.schema.output_view(_in_order(visible, self.channels))
        return schema.output_view({k: visible[k] for k in schema.channels if k in visible})


def _in_order(values: dict, order: dict) -> dict:
    """``values`` keyed in ``order``'s order; keys it does not name (a dict state's) after."""
    ordered = {k: values[k] for k in order if k in values}
    if len(ordered) < len(values):
        for key, value in values.items():
            ordered.setdefault(key, value)
    return ordered
