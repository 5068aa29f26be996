"""``interrupt(..., response_schema=...)``: the schema a client sees, and the check of an answer.

A JSON schema dict is shown as it is and answers are not checked. A type (a pydantic
model, a ``TypedDict``, a dataclass...) is shown as its JSON schema and checks the answer
with pydantic's ``TypeAdapter``; the node receives the validated object. An answer that
does not fit raises ``pydantic.ValidationError`` marked by ``is_invalid_resume``, and the
task keeps nothing of it: its answers stop before it, the interrupt is pending again, and
the thread's history is as it was before the resume (``forget_invalid_answer``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..checkpoint.serde import SerializationError, check_serialisable
from ..errors import is_invalid_resume, mark_invalid_resume

__all__ = ["forget_invalid_answer", "kept_answers", "response_json_schema", "validated_answer"]


def response_json_schema(response_schema: Any, node: str) -> dict | None:
    """What ``Interrupt.response_schema`` shows for ``interrupt(..., response_schema=...)``."""
    if response_schema is None:
        return None
    if isinstance(response_schema, dict):
        try:
            check_serialisable(response_schema, "response_schema")
        except SerializationError as exc:
            raise TypeError(
                f"interrupt() in node '{node}': the response_schema dict must be plain JSON: {exc}"
            ) from None
        return response_schema
    return _adapter(response_schema, node).json_schema()


def validated_answer(
    response_schema: Any, answer: Any, ns: str, interrupt_id: str, index: int
) -> Any:
    """``answer`` checked against the schema (the validated object), or the marked error."""
    import pydantic

    try:
        return _adapter(response_schema, "").validate_python(answer)
    except pydantic.ValidationError as exc:
        mark_invalid_resume(exc, index)
        exc._hitl_answered = (ns, interrupt_id)  # type: ignore[attr-defined]
        raise


@lru_cache(maxsize=256)
def _cached_adapter(response_schema: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(response_schema)


def _adapter(response_schema: Any, node: str) -> Any:
    try:
        return _cached_adapter(response_schema)
    except ImportError:
        raise TypeError(
            f"interrupt() in node '{node}': response_schema={response_schema!r} needs pydantic to describe and "
            "check answers (pip install pydantic), or pass a JSON schema dict."
        ) from None
    except TypeError:  # unhashable: build one each time
        from pydantic import TypeAdapter

        return TypeAdapter(response_schema)


def kept_answers(answers: list, ns: str, error: BaseException) -> list:
    """The answers a failed task keeps: all of them, unless ``error`` rejected one of its
    own (then those before it)."""
    if not is_invalid_resume(error):
        return answers
    answered_ns, _ = getattr(error, "_hitl_answered", (None, None))
    if answered_ns != ns:  # rejected inside a subgraph the task called
        return answers
    return answers[: getattr(error, "_hitl_answer_index", len(answers))]


def forget_invalid_answer(
    error: BaseException | None, child_answers: dict
) -> tuple[str | None, dict]:
    """The stored error and subgraph answers of a failed task: a rejected answer is no
    failure of the task (nothing is recorded), and is dropped from its subgraph answers."""
    if error is None:
        return None, child_answers
    if not is_invalid_resume(error):
        return repr(error), child_answers
    _, interrupt_id = getattr(error, "_hitl_answered", (None, None))
    if interrupt_id in child_answers:
        child_answers = {k: v for k, v in child_answers.items() if k != interrupt_id}
    return None, child_answers
