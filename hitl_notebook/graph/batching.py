"""``batch``/``abatch`` (and their ``_as_completed`` forms): LangChain's Runnable calls
that run ``invoke`` for several inputs at once, on threads (sync) or tasks (async), at most
``max_concurrency`` at a time when the config says so."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

__all__ = ["abatch", "abatch_as_completed", "batch", "batch_as_completed"]


def _configs(config: dict | Sequence[dict] | None, count: int) -> list[dict]:
    """One config per input: a list is taken as it is (its length must match)."""
    if isinstance(config, Sequence) and not isinstance(config, (str, bytes)):
        if len(config) != count:
            raise ValueError(
                f"batch got {count} inputs but {len(config)} configs: give one config, or one per input."
            )
        return [dict(c or {}) for c in config]
    return [dict(config or {}) for _ in range(count)]


def _workers(configs: list[dict]) -> int | None:
    limit = configs[0].get("max_concurrency") if configs else None
    return int(limit) if limit else None


def _call(invoke: Callable[..., Any], item: Any, config: dict, kwargs: dict, keep: bool) -> Any:
    config = {k: v for k, v in config.items() if k != "max_concurrency"}
    try:
        return invoke(item, config, **kwargs)
    except Exception as exc:
        if keep:
            return exc
        raise


def batch(
    invoke: Callable[..., Any],
    inputs: Sequence[Any],
    config: Any,
    return_exceptions: bool,
    kwargs: dict,
) -> list[Any]:
    """``invoke`` on each input, in parallel threads; results in input order."""
    return [
        out
        for _, out in sorted(
            batch_as_completed(invoke, inputs, config, return_exceptions, kwargs),
            key=lambda p: p[0],
        )
    ]


def batch_as_completed(
    invoke: Callable[..., Any],
    inputs: Sequence[Any],
    config: Any,
    return_exceptions: bool,
    kwargs: dict,
) -> Iterator[tuple[int, Any]]:
    """``(index, output)`` pairs as the calls finish."""
    items = list(inputs)
    configs = _configs(config, len(items))
    if not items:
        return
    if len(items) == 1:
        yield 0, _call(invoke, items[0], configs[0], kwargs, return_exceptions)
        return
    with ThreadPoolExecutor(max_workers=_workers(configs)) as pool:
        futures = {
            pool.submit(_call, invoke, item, cfg, kwargs, return_exceptions): index
            for index, (item, cfg) in enumerate(zip(items, configs))
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield futures[future], future.result()
        finally:
            for future in pending:
                future.cancel()


async def abatch(
    ainvoke: Callable[..., Any],
    inputs: Sequence[Any],
    config: Any,
    return_exceptions: bool,
    kwargs: dict,
) -> list[Any]:
    """``ainvoke`` on each input, as concurrent tasks; results in input order."""
    pairs = [
        p async for p in abatch_as_completed(ainvoke, inputs, config, return_exceptions, kwargs)
    ]
    return [out for _, out in sorted(pairs, key=lambda p: p[0])]


async def abatch_as_completed(
    ainvoke: Callable[..., Any],
    inputs: Sequence[Any],
    config: Any,
    return_exceptions: bool,
    kwargs: dict,
) -> AsyncIterator[tuple[int, Any]]:
    items = list(inputs)
    configs = _configs(config, len(items))
    limit = _workers(configs)
    gate = asyncio.Semaphore(limit) if limit else None

    async def one(index: int, item: Any, cfg: dict) -> tuple[int, Any]:
        cfg = {k: v for k, v in cfg.items() if k != "max_concurrency"}
        try:
            if gate is None:
                return index, await ainvoke(item, cfg, **kwargs)
            async with gate:
                return index, await ainvoke(item, cfg, **kwargs)
        except Exception as exc:
            if return_exceptions:
                return index, exc
            raise

    tasks = [
        asyncio.ensure_future(one(i, item, cfg))
        for i, (item, cfg) in enumerate(zip(items, configs))
    ]
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()
