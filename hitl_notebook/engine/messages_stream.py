"""``stream_mode="messages"``: LLM tokens and messages as ``(message, metadata)`` pairs.

Tokens come from our ``ScriptedChatModel`` (which asks ``current_task()`` for an emitter)
and, when ``langchain_core`` is installed, from any LangChain chat model called inside a
node: a callback handler is put in LangChain's context config for the node's call, so a
model invoked without an explicit config still reports its tokens. Messages a node returns
that were not already streamed token by token are emitted whole when the node finishes.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["MessageEmitter", "SilentEmitter", "langchain_callbacks", "message_ids", "messages_in"]


class MessageEmitter:
    """Sends ``(message, metadata)`` pairs of one task to the run's ``messages`` stream,
    remembering which message ids were already streamed."""

    __slots__ = ("metadata", "seen", "send")

    def __init__(self, send: Callable[[Any], None], metadata: dict, seen: set[str]) -> None:
        self.send = send
        self.metadata = metadata
        #: Ids already sent or already in the run's input, shared by the run's tasks and the
        #: subgraphs they run, so a message passed along is not sent again.
        self.seen = seen

    def token(self, chunk: Any, extra: dict | None = None) -> None:
        """A piece of a message being generated (its id marks the whole message streamed);
        ``extra``: metadata of the model call (LangSmith keys, tags)."""
        if getattr(chunk, "id", None):
            self.seen.add(chunk.id)
        self.send((chunk, {**self.metadata, **extra} if extra else dict(self.metadata)))

    def finished(self, message: Any, extra: dict | None = None) -> None:
        """A whole message: emitted unless its tokens were already streamed."""
        if getattr(message, "id", None) in self.seen:
            return
        if getattr(message, "id", None):
            self.seen.add(message.id)
        self.send((message, {**self.metadata, **extra} if extra else dict(self.metadata)))


class SilentEmitter(MessageEmitter):
    """A subgraph's task when the caller streams ``messages`` without ``subgraphs=True``:
    it stands in for the parent task's emitter, so the subgraph's models are not shown."""

    def __init__(self) -> None:
        super().__init__(lambda pair: None, {"langgraph_checkpoint_ns": ""}, set())

    def token(self, chunk: Any, extra: dict | None = None) -> None:
        pass

    def finished(self, message: Any, extra: dict | None = None) -> None:
        pass


def messages_in(writes: list[tuple[str, Any]] | None) -> Iterator[Any]:
    """Message objects among a task's writes (single messages or lists of them)."""
    for _, value in writes or ():
        for item in value if isinstance(value, list) else [value]:
            if hasattr(item, "content") and hasattr(item, "type"):
                yield item


def message_ids(values: dict) -> set[str]:
    """Ids of the messages held in ``values`` (a run's starting state)."""
    return {m.id for m in messages_in(list(values.items())) if getattr(m, "id", None)}


@contextlib.contextmanager
def langchain_callbacks(emitter: MessageEmitter | None) -> Iterator[None]:
    """While a node runs, LangChain runnables it calls report tokens to ``emitter``."""
    # A LangChain model a node calls exists before the node runs, so LangChain is already
    # imported; when it is not, importing it here would only cost time (and surprise).
    if emitter is None or "langchain_core" not in sys.modules:
        yield
        return
    try:
        from langchain_core.runnables.config import var_child_runnable_config
    except ImportError:  # no LangChain: only our own models stream
        yield
        return
    outer = var_child_runnable_config.get() or {}
    inherited = outer.get("callbacks") or []
    # A subgraph's task replaces its parent task's handler: a model it calls is its own.
    kept = (
        [c for c in inherited if not getattr(c, "hitl_tokens", False)]
        if isinstance(inherited, list)
        else []
    )
    callbacks = [*kept, _handler(emitter)]
    token = var_child_runnable_config.set({**outer, "callbacks": callbacks})
    try:
        yield
    finally:
        var_child_runnable_config.reset(token)


def _handler(emitter: MessageEmitter) -> Any:
    from langchain_core.callbacks import BaseCallbackHandler

    class _Tokens(BaseCallbackHandler):
        """Forwards chat model tokens (and unstreamed replies) to the emitter."""

        run_inline = True
        hitl_tokens = True

        def __init__(self) -> None:
            self.streamed: set = set()
            self.extra: dict = {}

        def on_chat_model_start(
            self, serialized: Any, messages: Any, *, run_id: Any = None, **kw: Any
        ) -> None:
            self.extra[run_id] = _call_metadata(emitter, kw.get("metadata"), kw.get("tags"))

        # Having these two makes LangChain chat models stream inside ``invoke`` (it checks
        # for a streaming handler this way), so tokens arrive one by one.
        def tap_output_iter(self, run_id: Any, output: Any) -> Any:
            return output

        def tap_output_aiter(self, run_id: Any, output: Any) -> Any:
            return output

        def on_llm_new_token(
            self,
            token: str | list[str | dict[str, Any]],
            *,
            chunk: Any = None,
            run_id: Any = None,
            **_: Any,
        ) -> None:
            message = getattr(chunk, "message", None)
            if message is not None:
                self.streamed.add(run_id)
                emitter.token(message, self.extra.get(run_id))

        def on_llm_end(self, response: Any, *, run_id: Any = None, **_: Any) -> None:
            extra = self.extra.pop(run_id, None)
            if run_id in self.streamed:
                return
            for generations in getattr(response, "generations", []) or []:
                for generation in generations:
                    message = getattr(generation, "message", None)
                    if message is not None:
                        emitter.finished(message, extra)

    return _Tokens()


def _call_metadata(emitter: MessageEmitter, metadata: Any, tags: Any) -> dict:
    """What LangGraph adds to a model's messages: LangChain's ``ls_*``/``lc_versions``
    keys, the user's tags, and the namespace of the top-level task that made the call."""
    extra = {k: v for k, v in (metadata or {}).items() if k.startswith("ls_") or k == "lc_versions"}
    user_tags = [t for t in tags or () if not t.startswith("seq:step")]
    if user_tags:
        extra["tags"] = user_tags
    if "checkpoint_ns" not in emitter.metadata:
        extra["checkpoint_ns"] = emitter.metadata["langgraph_checkpoint_ns"].split("|")[0]
    return extra
