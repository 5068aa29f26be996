"""``ToolNode``: the graph node that runs the tool calls of the last AI message.

It behaves as LangGraph's ``langgraph.prebuilt.ToolNode``: the calls run in parallel, each
answered by a tool message with its ``tool_call_id`` and the tool's name; a call to an
unknown tool, or with arguments the tool does not accept, is answered with an error
message the model can act on; other exceptions fail the run unless ``handle_tool_errors``
says otherwise. ``interrupt()`` inside a tool pauses the graph; when parallel calls ask,
their questions come in tool-call order, so each answer reaches the same question on
every re-run.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from contextvars import copy_context
from dataclasses import replace
from typing import Any, Literal

from ..engine.context import interrupt_gate
from ..engine.workers import Job, start
from ..errors import is_invalid_resume
from ..messages import REMOVE_ALL_MESSAGES, convert_to_message
from ..types import Command, GraphInterrupt, ParentCommand, Send
from .calls import is_ai_message, messages_of, tool_calls_of, tool_message
from .tools import ToolInvocationError, as_tool, content_of

__all__ = ["ToolNode"]

InputType = Literal["list", "dict", "tool_calls"]

#: Exceptions that are the engine's control flow, never a tool's error.
_BUBBLE_UP = (GraphInterrupt, ParentCommand)
#: The config keys a LangChain tool understands.
_RUNNABLE_KEYS = ("tags", "metadata", "callbacks", "run_name", "configurable", "recursion_limit")


def _default_handler(error: Exception) -> str:
    """LangGraph's default: bad arguments become a message for the model; anything else
    fails the run (a bug in a tool should not be hidden from the developer)."""
    if isinstance(error, ToolInvocationError):
        return error.message
    raise error


ErrorHandling = bool | str | Callable[..., str] | type[Exception] | tuple[type[Exception], ...]


class ToolNode:
    """A node running the tool calls of the last AI message in the state.

    ``tools``: plain functions (named by ``__name__``) and/or LangChain tools.
    ``handle_tool_errors``: which exceptions a tool raises become an error tool message
    instead of failing the run: by default only bad arguments; ``True`` all (the message
    is ``"Error: <repr>\\n Please fix your mistakes."``); a string (that message); a
    function ``(error) -> str`` (for the exception types its annotation names); an
    exception type or tuple of them; ``False`` none.
    """

    def __init__(
        self,
        tools: Sequence[Any],
        *,
        name: str = "tools",
        tags: list[str] | None = None,
        handle_tool_errors: ErrorHandling = _default_handler,
        messages_key: str = "messages",
    ) -> None:
        if isinstance(tools, (str, bytes)) or not isinstance(tools, Sequence):
            raise TypeError(f"ToolNode needs a list of tools, got {type(tools).__name__}")
        self.name = name
        self.tags = list(tags or [])
        self.handle_tool_errors = handle_tool_errors
        self.messages_key = messages_key
        self._handled = _handled_types(handle_tool_errors)
        self._tools = {}
        for tool in tools:
            runner = as_tool(tool)
            self._tools[runner.name] = runner

    @property
    def tools_by_name(self) -> dict[str, Any]:
        """The tools as given, by the name the model calls them."""
        return {
            name: getattr(runner, "tool", getattr(runner, "fn", None))
            for name, runner in self._tools.items()
        }

    def __repr__(self) -> str:
        return f"ToolNode(tools={list(self._tools)}, name={self.name!r})"

    # ------------------------------------------------------------------ running
    def __call__(self, input: Any, config: Mapping | None = None) -> Any:
        """``invoke``: callable, so LangChain takes it into a chain (``runnable | tool_node``)
        as it does LangGraph's ToolNode."""
        return self.invoke(input, config)

    def invoke(self, input: Any, config: Mapping | None = None, **_: Any) -> Any:
        """Run the calls in parallel threads; returns the tool messages (a list for a list
        input, else ``{messages_key: [...]}``), or ``Command``s when a tool returned one."""
        calls, input_type, state, asker = self._parse(input)
        tool_config = _tool_config(config)
        if len(calls) == 1 and not self._is_async(calls[0]):
            outputs = [self._run_one(calls[0], input_type, state, tool_config, asker)]
        else:
            outputs = self._run_parallel(calls, input_type, state, tool_config, asker)
        return self._combine(outputs, input_type)

    async def ainvoke(self, input: Any, config: Mapping | None = None, **_: Any) -> Any:
        """``invoke`` on the event loop: async tools are awaited, sync ones run in threads."""
        calls, input_type, state, asker = self._parse(input)
        tool_config = _tool_config(config)
        results = await asyncio.gather(
            *(self._arun_one(c, input_type, state, tool_config, asker) for c in calls),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return self._combine(results, input_type)

    def _is_async(self, call: Mapping) -> bool:
        runner = self._tools.get(call["name"])
        return runner is not None and runner.is_async

    def _run_parallel(
        self, calls: list, input_type: InputType, state: Any, config: dict, asker: Any
    ) -> list:
        if not calls:
            return []
        jobs: list[Job] = []

        def run(i: int) -> Any:
            def wait_for_earlier_calls() -> None:
                # An interrupt() in call i waits for the calls before it, so the questions
                # of one run always come in tool-call order.
                for job in jobs[:i]:
                    job.wait()

            token = interrupt_gate.set(wait_for_earlier_calls)
            try:
                return self._run_one(calls[i], input_type, state, config, asker)
            finally:
                interrupt_gate.reset(token)

        for i in range(len(calls)):
            context = copy_context()  # taken here, in the node's thread
            jobs.append(Job(functools.partial(context.run, run, i)))
        # The first call runs in this thread; the others on shared workers, or here once
        # this thread is free and no worker has started them.
        for job in jobs[1:]:
            start(job)
        jobs[0].run_once()
        outcomes = [job.outcome() for job in jobs]
        for _, error in outcomes:
            if error is not None:
                raise error  # the first in call order, on every run
        return [value for value, _ in outcomes]

    def _run_one(
        self, call: dict, input_type: InputType, state: Any, config: dict, asker: Any
    ) -> Any:
        runner = self._tools.get(call["name"])
        if runner is None:
            return self._unknown_tool(call, asker)
        try:
            return self._normalise(runner.run(call, state, config), call, input_type, asker)
        except _BUBBLE_UP:
            raise
        except Exception as error:
            return self._error_message(error, call, asker)

    async def _arun_one(
        self, call: dict, input_type: InputType, state: Any, config: dict, asker: Any
    ) -> Any:
        runner = self._tools.get(call["name"])
        if runner is None:
            return self._unknown_tool(call, asker)
        try:
            response = await runner.arun(call, state, config)
            return self._normalise(response, call, input_type, asker)
        except _BUBBLE_UP:
            raise
        except Exception as error:
            return self._error_message(error, call, asker)

    # ------------------------------------------------------------------ input
    def _parse(self, input: Any) -> tuple[list[dict], InputType, Any, Any]:
        """The calls to run, the input's shape, the state tools may have injected, and the
        AI message that asked (its message family is the one answered in)."""
        if isinstance(input, list) and input and _is_tool_call(input[-1]):
            return [dict(c) for c in input], "tool_calls", {}, None
        if isinstance(input, Mapping) and input.get("__type") == "tool_call_with_context":
            return [dict(input["tool_call"])], "tool_calls", input.get("state", {}), None
        messages = messages_of(input, self.messages_key)
        if not messages:
            raise ValueError(
                f"ToolNode found no messages in its input: expected a list of messages or a state "
                f"with a non-empty {self.messages_key!r} list, got {type(input).__name__} {input!r:.120}"
            )
        asker = next((m for m in reversed(messages) if is_ai_message(m)), None)
        if asker is None:
            raise ValueError(
                f"ToolNode found no AI message among the {len(messages)} messages of its input; "
                "it runs the tool calls of the last AI message"
            )
        return tool_calls_of(asker), "list" if isinstance(input, list) else "dict", input, asker

    # ------------------------------------------------------------------ output
    def _unknown_tool(self, call: dict, asker: Any) -> Any:
        content = (
            f"Error: {call['name']} is not a valid tool, try one of [{', '.join(self._tools)}]."
        )
        return tool_message(content, call, status="error", like=asker)

    def _error_message(self, error: Exception, call: dict, asker: Any) -> Any:
        if is_invalid_resume(error) or not isinstance(error, self._handled):
            raise error
        flag = self.handle_tool_errors
        if isinstance(flag, str):
            content = flag
        elif callable(flag) and not isinstance(flag, type):
            content = flag(error)
        else:  # True, an exception type or a tuple of them
            content = f"Error: {error!r}\n Please fix your mistakes."
        return tool_message(content, call, status="error", like=asker)

    def _normalise(self, response: Any, call: dict, input_type: InputType, asker: Any) -> Any:
        if isinstance(response, Command):
            return self._checked_command(response, call, input_type)
        if _is_tool_message(response):
            response.content = content_of(response.content)
            return response
        if (
            isinstance(response, list)
            and response
            and all(isinstance(r, Command) or _is_tool_message(r) for r in response)
        ):
            return self._checked_list(response, call, input_type)
        return tool_message(content_of(response), call, like=asker)

    def _checked_list(self, response: list, call: dict, input_type: InputType) -> list:
        answering = 0
        for item in response:
            messages = [item] if _is_tool_message(item) else self._command_messages(item)
            answering += sum(
                1 for m in messages if _is_tool_message(m) and m.tool_call_id == call["id"]
            )
        if answering != 1:
            raise ValueError(
                f"Tool {call['name']!r} returned a list with {answering} tool messages answering "
                f"call {call['id']!r}; it needs exactly one."
            )
        return [
            self._checked_command(item, call, input_type, needs_answer=False)
            if isinstance(item, Command)
            else item
            for item in response
        ]

    def _command_messages(self, command: Command) -> list:
        update = command.update
        raw = update.get(self.messages_key, []) if isinstance(update, Mapping) else update
        if not isinstance(raw, list):
            raw = [] if raw is None else [raw]
        return [convert_to_message(m) for m in raw]

    def _checked_command(
        self, command: Command, call: dict, input_type: InputType, *, needs_answer: bool = True
    ) -> Command:
        """A tool's ``Command``: its update must fit the node's input shape, and (unless it
        goes to the parent graph) answer the call with a tool message."""
        update = command.update
        if isinstance(update, Mapping) and input_type == "list":
            raise ValueError(
                f"Tool {call['name']!r} returned Command(update={{...}}) but ToolNode got a list of "
                "messages: return Command(update=[ToolMessage(...)]) or give ToolNode a state dict."
            )
        if isinstance(update, list) and input_type != "list":
            raise ValueError(
                f"Tool {call['name']!r} returned Command(update=[...]) but ToolNode got a state: "
                f"return Command(update={{{self.messages_key!r}: [ToolMessage(...)]}})."
            )
        if not isinstance(update, (Mapping, list)):
            return command
        messages = self._command_messages(command)
        if [(m.type, m.id) for m in messages] == [("remove", REMOVE_ALL_MESSAGES)]:
            return command
        answering = [_is_tool_message(m) and m.tool_call_id == call["id"] for m in messages]
        if needs_answer and command.graph is None and not any(answering):
            raise ValueError(
                f"Tool {call['name']!r} returned a Command whose update has no ToolMessage with "
                f"tool_call_id {call['id']!r}: every tool call needs an answering ToolMessage "
                "in the update."
            )
        # The answer carries the tool's name, as a message ToolNode wrote itself does.
        messages = [_named(m, call["name"]) if a else m for m, a in zip(messages, answering)]
        if isinstance(update, Mapping):
            update = {**update, self.messages_key: messages}
        else:
            update = messages
        return replace(command, update=update)

    def _combine(self, outputs: list, input_type: InputType) -> Any:
        flat: list = []
        for output in outputs:
            flat.extend(output if isinstance(output, list) else [output])
        if not any(isinstance(o, Command) for o in flat):
            return flat if input_type == "list" else {self.messages_key: flat}
        combined, parent_sends = [], []
        for o in flat:
            if isinstance(o, Command):
                if o.graph == Command.PARENT and _all_sends(o.goto):
                    parent_sends.extend(o.goto)
                else:
                    combined.append(o)
            else:
                combined.append(
                    Command(update=[o] if input_type == "list" else {self.messages_key: [o]})
                )
        if parent_sends:
            combined.append(Command(graph=Command.PARENT, goto=parent_sends))
        return combined


def _named(message: Any, name: str) -> Any:
    if hasattr(message, "model_copy"):  # a LangChain message
        return message.model_copy(update={"name": name})
    return replace(message, name=name)


def _is_tool_call(x: Any) -> bool:
    return isinstance(x, Mapping) and x.get("type") == "tool_call"


def _is_tool_message(x: Any) -> bool:
    return not isinstance(x, Mapping) and getattr(x, "type", None) == "tool"


def _all_sends(goto: Any) -> bool:
    return isinstance(goto, list) and bool(goto) and all(isinstance(g, Send) for g in goto)


def _tool_config(config: Mapping | None) -> dict:
    return {k: config[k] for k in _RUNNABLE_KEYS if config and k in config}


def _handled_types(flag: Any) -> tuple[type[BaseException], ...]:
    """The exception types ``handle_tool_errors`` turns into messages."""
    if flag is _default_handler or flag is True or isinstance(flag, str):
        return (Exception,)
    if not flag:
        return ()
    if isinstance(flag, type) and issubclass(flag, Exception):
        return (flag,)
    if isinstance(flag, tuple) and all(
        isinstance(t, type) and issubclass(t, Exception) for t in flag
    ):
        return flag
    if callable(flag):
        return _annotated_types(flag)
    raise TypeError(
        "handle_tool_errors must be a bool, a str, a function (error) -> str, an exception type "
        f"or a tuple of them, not {type(flag).__name__}"
    )


def _annotated_types(handler: Callable) -> tuple[type[BaseException], ...]:
    """The exception types a handler's first parameter is annotated with (all, if none)."""
    try:
        hints = typing.get_type_hints(handler)
    except Exception:
        hints = {}
    params = list(inspect.signature(handler).parameters)
    hint = hints.get(params[0]) if params else None
    if hint is None:
        return (Exception,)
    options = typing.get_args(hint) if typing.get_origin(hint) in _UNIONS else (hint,)
    if not all(isinstance(t, type) and issubclass(t, Exception) for t in options):
        raise TypeError(
            f"handle_tool_errors={getattr(handler, '__name__', handler)!r}: annotate its parameter with "
            f"exception types (e.g. `e: ValueError` or `e: ValueError | TypeError`), not {hint!r}"
        )
    return tuple(options)


_UNIONS = {typing.Union, types.UnionType}
