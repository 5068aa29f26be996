"""One tool as ``ToolNode`` runs it: a plain Python function or a LangChain tool, called
with a tool call's arguments plus the injected ones, its arguments checked first.

A plain function needs no LangChain: its arguments are bound to its signature and, when
pydantic is installed, checked and coerced against its annotations as LangChain's ``@tool``
would (``"3"`` for an ``int`` becomes ``3``). Bad arguments raise ``ToolInvocationError``,
which ``ToolNode`` turns into an error tool message the model can read and fix.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, get_args, get_origin, get_type_hints

__all__ = ["Tool", "ToolInvocationError", "as_tool", "content_of", "injected_parameters"]


class Injected(NamedTuple):
    """What ``ToolNode`` passes to a parameter instead of the model."""

    #: ``"state"`` or ``"tool_call_id"``.
    kind: str
    #: For ``"state"``: the state key, or ``None`` for the whole state.
    field: str | None = None


class ToolInvocationError(Exception):
    """A tool call's arguments do not fit the tool: the model asked wrongly, so ``ToolNode``
    answers with this message instead of failing the run. Not a ``ValueError`` (as
    LangGraph's is not): ``handle_tool_errors=ValueError`` leaves it to fail the run."""

    def __init__(self, tool_name: str, tool_kwargs: Mapping, problems: list[str]) -> None:
        self.tool_name = tool_name
        self.tool_kwargs = dict(tool_kwargs)
        self.problems = problems
        #: The text the model gets in the error tool message (LangGraph's wording).
        self.message = (
            f"Error invoking tool '{tool_name}' with kwargs {self.tool_kwargs} with error:\n"
            f" {chr(10).join(problems)}\n"
            " Please fix the error and try again."
        )
        super().__init__(self.message)


class Tool:
    """A plain function as a tool: its name, and a call that checks arguments first."""

    def __init__(self, fn: Callable[..., Any], name: str | None = None) -> None:
        if not callable(fn):
            raise TypeError(
                f"ToolNode tools must be functions or LangChain tools, got {type(fn).__name__} {fn!r:.60}"
            )
        self.fn = fn
        self.name = name or getattr(fn, "__name__", None) or type(fn).__name__
        self.is_async = inspect.iscoroutinefunction(fn)
        self.signature = inspect.signature(fn)
        self.injected = injected_parameters(fn)
        self._adapters = _annotation_adapters(fn, self.signature, set(self.injected))

    def bind(self, call: Mapping, state: Any) -> dict:
        """The keyword arguments for ``call``: checked model arguments plus injected ones.
        Arguments the function does not take are dropped, as LangChain's ``@tool`` does."""
        args = dict(call["args"])
        params = self.signature.parameters
        problems = [
            f"{name}: set by ToolNode, not by the model" for name in args if name in self.injected
        ]
        kwargs = {}
        for name, parameter in params.items():
            if name in self.injected:
                kwargs[name] = _injected_value(self.injected[name], state, call)
            elif name in args:
                kwargs[name] = args[name]
                problems += self._check(name, kwargs)
            elif parameter.kind is parameter.VAR_KEYWORD:
                kwargs.update({k: v for k, v in args.items() if k not in params})
            elif (
                parameter.default is parameter.empty
                and parameter.kind is not parameter.VAR_POSITIONAL
            ):
                problems.append(f"{name}: Field required")
        if problems:
            raise ToolInvocationError(self.name, call["args"], problems)
        return kwargs

    def _check(self, name: str, kwargs: dict) -> list[str]:
        """Coerce ``kwargs[name]`` to the parameter's annotation; the problems found."""
        adapter = self._adapters.get(name)
        if adapter is None:
            return []
        try:
            kwargs[name] = adapter.validate_python(kwargs[name])
        except Exception as exc:  # pydantic.ValidationError
            return [f"{name}: {e['msg']}" for e in getattr(exc, "errors", list)()] or [
                f"{name}: {exc}"
            ]
        return []

    def run(self, call: Mapping, state: Any, config: Any) -> Any:
        kwargs = self.bind(call, state)
        if self.is_async:
            return asyncio.run(self.fn(**kwargs))
        return self.fn(**kwargs)

    async def arun(self, call: Mapping, state: Any, config: Any) -> Any:
        kwargs = self.bind(call, state)
        if self.is_async:
            return await self.fn(**kwargs)
        return await asyncio.to_thread(self.fn, **kwargs)


class LangChainTool:
    """A LangChain ``BaseTool``: invoked with the tool call itself, as LangGraph does, so it
    answers with a ``ToolMessage`` (or a ``Command``) carrying the call's id."""

    def __init__(self, tool: Any) -> None:
        self.tool = tool
        self.name = tool.name
        # An ``async def`` @tool has no sync body: a sync run awaits it on its own loop.
        self.is_async = (
            getattr(tool, "func", None) is None and getattr(tool, "coroutine", None) is not None
        )
        fn = getattr(tool, "func", None) or getattr(tool, "coroutine", None)
        # LangChain fills the tool-call id itself; the state is ours to add.
        self.injected = {
            name: marker
            for name, marker in (injected_parameters(fn) if fn else {}).items()
            if marker.kind == "state"
        }

    def _call(self, call: Mapping, state: Any) -> dict:
        args = {
            **call["args"],
            **{n: _injected_value(m, state, call) for n, m in self.injected.items()},
        }
        return {**call, "args": args, "type": "tool_call"}

    def run(self, call: Mapping, state: Any, config: Any) -> Any:
        if self.is_async:
            return asyncio.run(self.arun(call, state, config))
        tool, captured = self._capturing_commands()
        try:
            response = tool.invoke(self._call(call, state), config)
        except Exception as exc:
            _reraise(exc, call, self.injected)
        return captured[0] if captured else response

    async def arun(self, call: Mapping, state: Any, config: Any) -> Any:
        tool, captured = self._capturing_commands()
        try:
            response = await tool.ainvoke(self._call(call, state), config)
        except Exception as exc:
            _reraise(exc, call, self.injected)
        return captured[0] if captured else response

    def _capturing_commands(self) -> tuple[Any, list]:
        """A copy of the tool that hands back our ``Command`` as it is: LangChain would turn
        any return value it does not know into text (it knows LangGraph's ``Command``)."""
        func, coroutine = getattr(self.tool, "func", None), getattr(self.tool, "coroutine", None)
        if func is None and coroutine is None:
            return self.tool, []
        from langchain_core.messages.tool import ToolOutputMixin

        captured: list = []

        def keep(result: Any) -> Any:
            if _is_command_output(result):
                captured.append(result)
                return ToolOutputMixin()
            return result

        update = {}
        if func is not None:

            @functools.wraps(func)
            def sync_func(*args: Any, **kwargs: Any) -> Any:
                return keep(func(*args, **kwargs))

            update["func"] = sync_func
        if coroutine is not None:

            @functools.wraps(coroutine)
            async def async_func(*args: Any, **kwargs: Any) -> Any:
                return keep(await coroutine(*args, **kwargs))

            update["coroutine"] = async_func
        return self.tool.model_copy(update=update), captured


def _is_command_output(result: Any) -> bool:
    from ..types import Command

    return isinstance(result, Command) or (
        isinstance(result, list) and any(isinstance(r, Command) for r in result)
    )


def as_tool(tool: Any) -> Tool | LangChainTool:
    """The runner for one entry of ``ToolNode(tools)``."""
    if _is_langchain_tool(tool):
        return LangChainTool(tool)
    return Tool(tool)


def content_of(output: Any) -> str | list:
    """A tool's return value as message content: text and content blocks as they are,
    anything else as JSON (or ``str()`` when it is not JSON)."""
    if isinstance(output, str):
        return output
    if isinstance(output, list) and all(
        isinstance(x, dict) and isinstance(x.get("type"), str) for x in output
    ):
        return output
    try:
        return json.dumps(output, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(output)


def _is_langchain_tool(tool: Any) -> bool:
    # A LangChain tool exists only once LangChain is loaded: never import it here.
    tools_module = sys.modules.get("langchain_core.tools")
    return tools_module is not None and isinstance(tool, tools_module.BaseTool)


def injected_parameters(fn: Any) -> dict[str, Injected]:
    """``{parameter: Injected}`` for the parameters of ``fn`` annotated
    ``Annotated[..., InjectedState]`` (or ``InjectedState("key")``) or
    ``Annotated[str, InjectedToolCallId]`` (ours, LangGraph's or LangChain's markers)."""
    try:
        hints = get_type_hints(fn, include_extras=True)
    except Exception:
        hints = getattr(fn, "__annotations__", {})
    found = {}
    for name, hint in hints.items():
        if name == "return" or get_origin(hint) is None:
            continue
        for extra in get_args(hint)[1:]:
            marker = _marker(extra)
            if marker is not None:
                found[name] = marker
    return found


def _marker(extra: Any) -> Injected | None:
    cls = extra if isinstance(extra, type) else type(extra)
    kind = getattr(cls, "hitl_injects", None)
    if kind is None and cls.__name__ in ("InjectedState", "InjectedToolCallId"):
        kind = "state" if cls.__name__ == "InjectedState" else "tool_call_id"
    if kind is None:
        return None
    field = getattr(extra, "field", None) if not isinstance(extra, type) else None
    return Injected(kind, field)


def _injected_value(marker: Injected, state: Any, call: Mapping) -> Any:
    if marker.kind == "tool_call_id":
        return call["id"]
    if marker.field is None:
        return state
    if isinstance(state, Mapping):
        if marker.field not in state:
            raise KeyError(
                f"InjectedState({marker.field!r}): the state has no key {marker.field!r}"
            )
        return state[marker.field]
    return getattr(state, marker.field)


def _reraise(exc: Exception, call: Mapping, injected: Mapping) -> None:
    """Raise a pydantic ``ValidationError`` of the tool's arguments as
    ``ToolInvocationError`` (problems with injected arguments left out); anything else as
    it is."""
    from ..errors import is_invalid_resume

    if type(exc).__name__ != "ValidationError" or is_invalid_resume(exc):
        raise exc
    validation: Any = exc  # a pydantic ValidationError (checked by name: pydantic is optional)
    problems = [
        f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', 'invalid')}"
        for e in validation.errors()
        if not (e.get("loc") and e["loc"][0] in injected)
    ]
    raise ToolInvocationError(call["name"], call["args"], problems) from exc


def _annotation_adapters(fn: Any, signature: inspect.Signature, skip: set[str]) -> dict:
    """pydantic ``TypeAdapter`` per annotated parameter, when pydantic is installed."""
    try:
        from pydantic import TypeAdapter
    except ImportError:  # pragma: no cover - exercised in the no-pydantic CI job
        return {}
    try:
        hints = inspect.get_annotations(fn, eval_str=True)
    except Exception:
        return {}
    adapters = {}
    for name in signature.parameters:
        if name in skip or name not in hints:
            continue
        try:
            adapters[name] = TypeAdapter(hints[name])
        except Exception:
            continue
    return adapters
