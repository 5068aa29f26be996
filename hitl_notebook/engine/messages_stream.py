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

__all__ = ["MessageEmitter", "langchain_callbacks", "message_ids", "messages_in"]


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

    def token(self, chunk: Any) -> None:
        """A piece of a message being generated (its id marks the whole message streamed)."""
        if getattr(chunk, "id", None):
            self.seen.add(chunk.id)
        self.send((chunk, dict(self.metadata)))

    def finished(self, message: Any) -> None:
        """A whole message: emitted unless its tokens were already streamed."""
        if getattr(message, "id", None) in self.seen:
            return
        if getattr(message, "id", None):
            self.seen.add(message.id)
        self.send((message, dict(self.metadata)))


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
    callbacks = (
        [*inherited, _handler(emitter)] if isinstance(inherited, list) else [_handler(emitter)]
    )
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

        def __init__(self) -> None:
            self.streamed: set = set()

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
                emitter.token(message)

        def on_llm_end(self, response: Any, *, run_id: Any = None, **_: Any) -> None:
            if run_id in self.streamed:
                return
            for generations in getattr(response, "generations", []) or []:
                for generation in generations:
                    message = getattr(generation, "message", None)
                    if message is not None:
                        emitter.finished(message)

    return _Tokens()
