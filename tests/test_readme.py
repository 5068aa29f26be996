"""The README's quickstart runs as printed and does what its comments say."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quickstart_runs_and_approves(capsys):
    """Executing the quickstart block pauses with the question, then the resume approves."""
    code = re.search(r"## Quickstart\n\n```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md quickstart", "exec"), namespace)
    assert capsys.readouterr().out.strip() == "Send this?"
    graph, config = namespace["graph"], namespace["config"]
    assert graph.get_state(config).values == {
        "draft": "Dear team, the release is on Friday.",
        "approved": True,
    }


def test_readme_shows_the_two_commands_ci_runs():
    """The README's setup-and-test command is the one .ci/run ends with."""
    text = README.read_text()
    assert "bash scripts/demo.sh" in text and "bash scripts/test.sh" in text
    assert "bash scripts/test.sh" in (README.parent / ".ci" / "run").read_text()


def test_functional_api_sample_runs_as_commented():
    """The Functional API block pauses, resumes without re-running its task, and shows."""
    text = README.read_text()
    code = re.search(r"## Functional API\n.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md functional", "exec"), namespace)
    publish, config = namespace["publish"], namespace["config"]
    assert publish.get_state(config).values == {
        "text": "A short note about otters.",
        "published": True,
    }
    history = list(publish.get_state_history(config))
    assert [s.metadata["source"] for s in history] == ["loop", "input"]


def test_runtime_context_sample_runs_as_commented():
    """The Runtime context block: a dataclass context, and a dict coerced to it."""
    text = README.read_text()
    code = re.search(r"## Runtime context\n.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md runtime", "exec"), namespace)
    graph, context = namespace["graph"], namespace["Context"]
    assert graph.invoke({}, context=context(user_id="ann")) == {"greeting": "Hello, ann"}
    assert graph.invoke({}, context={"user_id": "bob"}) == {"greeting": "Hello, bob"}
