"""Seed 002's LangGraph API samples (Python SDK, JavaScript SDK, curl) run against the local
server, taken from the seed text at test time and changed only where the seed leaves a
placeholder (``<DEPLOYMENT_URL>``, and the thread id in the curl samples).

The server serves seed 002's extended example as ``agent`` (tests/server/app/agent.py, the
seed's code as printed; ``test_server_graph_is_the_seeds_extended_example`` keeps it so).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[2]
JS_FOLDER = Path(__file__).resolve().parent / "js"
SEED_NAME = "002_*.txt"


def _seed_folders() -> list[Path]:
    folders = [Path(os.environ["HITL_SEEDS"])] if os.environ.get("HITL_SEEDS") else []
    return folders + [parent / "shared" / "seeds" for parent in REPO.parents]


def _seed_found() -> bool:
    return any(sorted(folder.glob(SEED_NAME)) for folder in _seed_folders())


def _seed_text() -> str:
    """Seed 002 from shared/seeds beside the checkout (or $HITL_SEEDS)."""
    folders = _seed_folders()
    for folder in folders:
        found = sorted(folder.glob(SEED_NAME))
        if found:
            return found[0].read_text()
    # The seeds live beside the repository on a developer's machine, not in it; a clone
    # elsewhere has nothing to run these samples from.
    pytest.skip(
        f"seed 002 not found in any of: {', '.join(map(str, folders))} (set HITL_SEEDS)",
        allow_module_level=True,
    )


def _blocks(text: str, first_line: str, last_line: str) -> list[str]:
    """Distinct samples that start with ``first_line`` and end with the line holding
    ``last_line``, in the order the seed prints them."""
    found: list[str] = []
    start = text.find(first_line)
    while start != -1:
        end = text.index("\n", text.index(last_line, start))
        block = text[start:end]
        if block not in found:
            found.append(block)
        start = text.find(first_line, end)
    return found


def _python_samples() -> list[str]:
    return _blocks(
        _seed_text(), "from langgraph_sdk import get_client", "# > {'some_text': 'Edited text'}"
    )


def _js_samples() -> list[str]:
    return _blocks(
        _seed_text(),
        'import { Client } from "@langchain/langgraph-sdk";',
        "// > {'some_text': 'Edited text'}",
    )


def test_the_seed_has_the_samples_these_tests_run():
    """Guards the extraction: the seed prints two copies of each SDK sample (identical)."""
    assert len(_python_samples()) == 1 and len(_js_samples()) == 1
    assert _seed_text().count("curl --request POST") == 6


def test_server_graph_is_the_seeds_extended_example():
    """The graph the server runs as ``agent`` is the seed's extended example as printed."""
    text = _seed_text()
    start = text.index("from typing import TypedDict\nimport uuid")
    end = text.index("graph = graph_builder.compile()", start)
    served = (Path(__file__).resolve().parent / "app" / "agent.py").read_text()
    assert text[start:end] in served


# (without the seed nothing is parametrised; test_the_seed_has_the_samples_these_tests_run
# then fails naming where it looked, and collecting other markers still works)
@pytest.mark.parametrize("index", range(len(_python_samples()) if _seed_found() else 0))
def test_python_sdk_sample(index, langgraph_server, sdk):
    """The Python SDK sample (async client, top-level await) runs as printed: it prints
    the interrupt with the payload, then the resumed values."""
    sample = _python_samples()[index].replace("<DEPLOYMENT_URL>", repr(langgraph_server.url))
    code = compile(sample, "seed_002_python_sdk", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    out = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(out):
        result = eval(code, namespace)  # the seed's own sample, compiled above
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    printed = out.getvalue().splitlines()
    assert "{'text_to_revise': 'original text'}" in printed[0]
    assert printed[-1] == "{'some_text': 'Edited text'}"
    thread_id = namespace["thread_id"]
    assert sdk.threads.get_state(thread_id)["values"] == {"some_text": "Edited text"}


@pytest.mark.parametrize("index", range(len(_js_samples()) if _seed_found() else 0))
def test_javascript_sdk_sample(index, langgraph_server, sdk, tmp_path):
    """The JavaScript SDK sample runs in node with @langchain/langgraph-sdk (installed by
    ``npm ci`` in tests/server/js) and prints the interrupt, then the resumed values."""
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript SDK samples"
    modules = JS_FOLDER / "node_modules" / "@langchain" / "langgraph-sdk"
    assert modules.is_dir(), f"run `npm ci` in {JS_FOLDER} (scripts/test.sh does)"
    sample = _js_samples()[index].replace("<DEPLOYMENT_URL>", json.dumps(langgraph_server.url))
    script = JS_FOLDER / f".seed_002_sample_{index}_{os.getpid()}.mjs"
    script.write_text(sample + "\nconsole.log(JSON.stringify({threadID}));\n")
    try:
        done = subprocess.run(
            [node, str(script)], capture_output=True, text=True, timeout=120, cwd=JS_FOLDER
        )
    finally:
        script.unlink()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "text_to_revise: 'original text'" in done.stdout
    assert lines[-2] == "{ some_text: 'Edited text' }"
    thread_id = json.loads(lines[-1])["threadID"]
    assert sdk.threads.get_state(thread_id)["values"] == {"some_text": "Edited text"}


def _curl_samples() -> list[str]:
    text = _seed_text()
    return [m.group(0) for m in re.finditer(r"curl --request POST.*?(?=\n\n|\n[A-Z])", text, re.S)]


def test_curl_samples(langgraph_server, sdk):
    """Each create / run-to-interrupt / resume triple of curl samples runs in bash as
    printed, with the URL and the created thread's id filled in."""
    curl = shutil.which("curl")
    assert curl, "curl is needed for the seed's curl samples"
    samples = _curl_samples()
    assert len(samples) == 6
    for create, run, resume in (samples[0:3], samples[3:6]):
        fill = {"<DEPLOYMENT_URL>": langgraph_server.url}
        thread = json.loads(_bash(create, fill))
        fill["<THREAD_ID>"] = thread["thread_id"]
        paused = json.loads(_bash(run, fill))
        assert paused["__interrupt__"][0]["value"] == {"text_to_revise": "original text"}
        assert json.loads(_bash(resume, fill)) == {"some_text": "Edited text"}
        state = sdk.threads.get_state(thread["thread_id"])
        assert state["values"] == {"some_text": "Edited text"}


def _bash(sample: str, fill: dict[str, str]) -> str:
    for placeholder, value in fill.items():
        sample = sample.replace(placeholder, value)
    done = subprocess.run(
        ["bash", "-c", sample + " --silent --show-error --fail"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
