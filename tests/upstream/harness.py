"""Fetch LangGraph's sdist, extract and rewrite its HITL tests, run them on our engine, and
account for the results against the ratchet (``expected_failures.txt``).

``python -m tests.upstream [--version X] [-k EXPR] [--update-expected] [-- pytest args]``

The run passes when every in-scope test case passes or is listed in
``expected_failures.txt``; any other failure is a regression. The last line printed is
``upstream: N/M passed`` (N passing in-scope test cases of M run).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .rewrite import (
    OUR_PACKAGE,
    THEIR_PACKAGE,
    helper_modules,
    rewrite_snapshot,
    rewrite_source,
)
from .selection import DEFAULT_VERSION, MODULES, TIMEOUT_SECONDS

__all__ = [
    "EXPECTED_FAILURES",
    "cache_root",
    "main",
    "prepare",
    "read_expected",
    "read_expected_sections",
    "sdist",
    "test_names",
]

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXPECTED_FAILURES = HERE / "expected_failures.txt"
_FAILING = ("failed", "error")


def cache_root() -> Path:
    """``$HITL_UPSTREAM_CACHE``, else ``.cache/upstream`` in the repository (git-ignored)."""
    return Path(os.environ.get("HITL_UPSTREAM_CACHE") or REPO / ".cache" / "upstream").resolve()


def sdist(version: str) -> Path:
    """LangGraph ``version``'s sdist, downloaded once with pip into the cache."""
    target = cache_root() / "sdist" / f"langgraph-{version}.tar.gz"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        print(f"upstream: downloading the langgraph=={version} sdist with pip", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--disable-pip-version-check",
                f"langgraph=={version}",
                "-d",
                tmp,
            ],
            check=True,
        )
        [found] = Path(tmp).glob("langgraph-*.tar.gz")
        found.replace(target)
    return target


def _rewrite_key() -> str:
    """Hash of what decides the extracted copy's content, besides the version."""
    digest = hashlib.sha256((HERE / "rewrite.py").read_bytes())
    digest.update("\n".join(MODULES).encode())
    return digest.hexdigest()[:12]


def prepare(version: str) -> Path:
    """The extracted, rewritten copy of ``version``'s selected tests (cached): a directory
    holding ``lgtests/`` and an empty ``pytest.ini`` (so our repository's pytest
    configuration is not used)."""
    root = cache_root() / f"langgraph-{version}-{_rewrite_key()}"
    if (root / ".complete").exists():
        return root
    archive = sdist(version)
    prefix = f"langgraph-{version}/{THEIR_PACKAGE}/"
    with tarfile.open(archive) as tar:
        files = {
            m.name[len(prefix) :]: m
            for m in tar.getmembers()
            if m.isfile() and m.name.startswith(prefix)
        }

        def read(name: str) -> str:
            return tar.extractfile(files[name]).read().decode("utf-8")  # type: ignore[union-attr]

        missing = [m for m in MODULES if m not in files]
        if missing:
            raise SystemExit(f"upstream: langgraph {version}'s sdist has no {', '.join(missing)}")
        wanted = ["__init__.py", *MODULES]
        todo = list(wanted)
        while todo:  # follow `tests.*` imports to the helper modules
            for helper in helper_modules(read(todo.pop())):
                name = f"{helper}.py"
                if name in files and name not in wanted:
                    wanted.append(name)
                    todo.append(name)
        snapshots = [f"__snapshots__/{Path(m).stem}.ambr" for m in MODULES]
        tmp = Path(tempfile.mkdtemp(dir=cache_root(), prefix=".extracting-"))
        package = tmp / OUR_PACKAGE
        (package / "__snapshots__").mkdir(parents=True)
        for name in wanted:
            (package / name).write_text(rewrite_source(read(name)), encoding="utf-8")
        for name in snapshots:
            if name in files:
                (package / name).write_text(rewrite_snapshot(read(name)), encoding="utf-8")
    (tmp / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp / "SOURCE.txt").write_text(
        f"Extracted from {archive.name} by tests/upstream/harness.py; imports rewritten by rewrite.py.\n"
        f"Files: {', '.join(sorted(wanted))}\n",
        encoding="utf-8",
    )
    (tmp / ".complete").touch()
    shutil.rmtree(root, ignore_errors=True)
    tmp.replace(root)
    return root


def test_names(root: Path) -> dict[str, list[str]]:
    """Module -> names of its module-level test functions (read, not imported)."""
    names = {}
    for module in MODULES:
        tree = ast.parse((root / OUR_PACKAGE / module).read_text(encoding="utf-8"))
        names[module] = [
            n.name
            for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")
        ]
    return names


def read_expected(path: Path = EXPECTED_FAILURES) -> list[str]:
    """Node ids of ``expected_failures.txt`` (blank lines and ``#`` comments skipped)."""
    return list(read_expected_sections(path))


#: A section header of ``expected_failures.txt``: why the ids below it fail.
_SECTION = re.compile(r"^#\s*(deliberate|not yet):\s*(\S.*?)\s*$")
#: The section new failures go to until someone sorts them.
UNSORTED = ("not yet", "unsorted: new in the last --update-expected")


def read_expected_sections(path: Path = EXPECTED_FAILURES) -> dict[str, tuple[str, str]]:
    """Each listed node id with its section, ``(kind, reason)``: kind ``deliberate`` (the
    reason names a row of the README's "Where we deliberately differ from LangGraph") or
    ``not yet`` (a short cause). Ids above the first header count as unsorted."""
    if not path.exists():
        return {}
    section = UNSORTED
    ids: dict[str, tuple[str, str]] = {}
    for line in (raw.strip() for raw in path.read_text(encoding="utf-8").splitlines()):
        if header := _SECTION.match(line):
            section = (header[1], header[2])
        elif line and not line.startswith("#"):
            ids[line] = section
    return ids


_EXPECTED_HEADER = """\
# In-scope LangGraph tests that currently fail on our engine (one pytest node id a line).
# The upstream run fails on any failure NOT listed here (a regression), and reports listed
# tests that now pass. Regenerate with: python -m tests.upstream --update-expected
# Each id sits under a section header saying why it fails:
#   "# deliberate: <README row>"  our behaviour is a README "deliberately differ" row;
#   "# not yet: <short cause>"    a gap still to close.
# --update-expected keeps every id in its section and puts new ones under
# "# not yet: unsorted: ..."; move them to the right section by hand.
"""


def _write_expected(ids: list[str], path: Path = EXPECTED_FAILURES) -> None:
    """Rewrite the list as ``ids``, each in the section it had (new ones unsorted);
    sections keep their order, empty ones are dropped."""
    known = read_expected_sections(path)
    grouped: dict[tuple[str, str], list[str]] = {s: [] for s in dict.fromkeys(known.values())}
    for test_id in ids:
        grouped.setdefault(known.get(test_id, UNSORTED), []).append(test_id)
    body = "".join(
        f"\n# {kind}: {reason}\n" + "".join(f"{i}\n" for i in sorted(members))
        for (kind, reason), members in grouped.items()
        if members
    )
    path.write_text(_EXPECTED_HEADER + body, encoding="utf-8")


def _module(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def normalise(message: str) -> str:
    """A failure message with its incidental details (numbers, ids, quoted values) blurred,
    so failures of one cause group together."""
    line = message.strip().splitlines()[0] if message.strip() else "(no message)"
    line = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{14,}", "<uuid>", line)
    line = re.sub(r"'[^']{25,}'", "'…'", line)
    line = re.sub(r'"[^"]{25,}"', '"…"', line)
    line = re.sub(r"\b\d+(\.\d+)?\b", "<n>", line)
    return line[:160]


def _run_pytest(
    root: Path, report: Path, args: argparse.Namespace, targets: list[str] | None = None
) -> int:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *(targets or [f"{OUR_PACKAGE}/{m}" for m in MODULES]),
        "-c",
        "pytest.ini",
        "--rootdir",
        str(root),
        "-p",
        "tests.upstream.fixtures",
        "-p",
        "no:cacheprovider",
        "--timeout",
        str(TIMEOUT_SECONDS),
        "--snapshot-warn-unused",
        "-q",
        "--tb",
        args.tb,
        "-rN",
        "--disable-warnings",
        "--continue-on-collection-errors",
    ]
    if targets is None:
        if args.k:
            cmd += ["-k", args.k]
        cmd += args.pytest_args
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env["HITL_UPSTREAM_REPORT"] = str(report)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(cmd, cwd=root, env=env, check=False).returncode


def _load_report(report: Path) -> dict[str, Any]:
    if report.exists():
        return json.loads(report.read_text(encoding="utf-8"))
    # pytest died before the end of the session: rebuild what it streamed.
    data: dict[str, Any] = {
        "collected": [],
        "results": {},
        "left_out": {},
        "pattern_hits": None,
        "collect_errors": [],
        "langgraph_modules": [],
        "langgraph_import_stack": "",
        "exitstatus": None,
    }
    stream = report.with_suffix(".jsonl")
    if stream.exists():
        for line in stream.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "collected" in record:
                data["collected"] = record["collected"]
            elif "collect_error" in record:
                data["collect_errors"].append(record["collect_error"])
            else:
                data["results"][record.pop("id")] = record
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.upstream",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", default=DEFAULT_VERSION, help=f"LangGraph release (default {DEFAULT_VERSION})"
    )
    parser.add_argument("-k", help="pytest -k expression (passed through)")
    parser.add_argument(
        "--update-expected",
        action="store_true",
        help="rewrite expected_failures.txt from this run's results",
    )
    parser.add_argument(
        "--tb", default="no", help="pytest --tb style (default: no; the summary lists regressions)"
    )
    parser.add_argument(
        "--failures",
        metavar="PATH",
        help="also write every in-scope failure, grouped by message, to PATH",
    )
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args(argv)

    started = time.monotonic()
    root = prepare(args.version)
    print(f"upstream: running LangGraph {args.version}'s tests from {root}", flush=True)
    # A report directory per run: runs sharing a cache (CI jobs, several checkouts) must
    # not read each other's outcomes.
    with tempfile.TemporaryDirectory(prefix=f"report-{args.version}-", dir=cache_root()) as tmp:
        report = Path(tmp) / "report.json"
        returncode = _run_pytest(root, report, args)
        data = _load_report(report)
        _retry_unexpected_failures(root, report, args, data)
    elapsed = time.monotonic() - started
    return _account(data, args, returncode, elapsed)


#: Beyond this many unexpected failures something is really broken: no retry.
_MAX_RETRIES = 10


def _retry_unexpected_failures(
    root: Path, report: Path, args: argparse.Namespace, data: dict[str, Any]
) -> None:
    """Run unlisted failures once more, alone.

    A few of LangGraph's tests time their own streaming (``assert elapsed > 0.04``), and on
    a loaded CI machine they fail now and then on LangGraph itself. A case that passes on
    its retry counts as passed and is reported as a retry; one that fails twice is a
    regression."""
    expected = set(read_expected())
    results = data["results"]
    unexpected = [
        i
        for i, r in results.items()
        if r["outcome"] in _FAILING and i not in expected and "::" in i
    ]
    if not unexpected or len(unexpected) > _MAX_RETRIES:
        return
    retry_report = report.with_name(report.stem + "-retry.json")
    retry_report.unlink(missing_ok=True)
    retry_report.with_suffix(".jsonl").unlink(missing_ok=True)
    print(f"upstream: retrying {len(unexpected)} unexpected failure(s) alone", flush=True)
    _run_pytest(root, retry_report, args, targets=[f"{OUR_PACKAGE}/{i}" for i in unexpected])
    retried = _load_report(retry_report)["results"]
    for test_id in unexpected:
        again = retried.get(test_id)
        if again is not None and again["outcome"] == "passed":
            results[test_id] = {**again, "retried": True}
            print(f"  passed on retry (timing-sensitive under load): {test_id}")


def _account(
    data: dict[str, Any], args: argparse.Namespace, returncode: int, elapsed: float
) -> int:
    problems: list[str] = []
    results: dict[str, dict[str, Any]] = data["results"]
    for test_id in data["collected"]:
        if test_id not in results:
            results[test_id] = {
                "outcome": "failed",
                "message": "did not finish: pytest stopped before this test reported",
            }
    ran = {i: r for i, r in results.items() if r["outcome"] in ("passed", *_FAILING)}
    skipped = sorted(i for i, r in results.items() if r["outcome"] == "skipped")
    failing = sorted(i for i, r in ran.items() if r["outcome"] in _FAILING)
    passed = sorted(i for i, r in ran.items() if r["outcome"] == "passed")
    sections = read_expected_sections()
    expected = list(sections)
    expected_set = set(expected)
    regressions = [i for i in failing if i not in expected_set]
    now_passing = [i for i in passed if i in expected_set]
    full_run = not args.k and not args.pytest_args

    if returncode not in (0, 1) and not (returncode == 5 and not full_run):
        problems.append(
            f"pytest exited with status {returncode} (not a test failure: an internal, usage or collection error)"
        )
    for error in data["collect_errors"]:
        problems.append(f"collection error (the module's tests did not run): {error}")
    if data["langgraph_modules"]:
        problems.append(
            "the real langgraph was imported during the run: "
            + ", ".join(data["langgraph_modules"][:5])
            + ("\n" + data["langgraph_import_stack"] if data["langgraph_import_stack"] else "")
        )
    if full_run and data.get("pattern_hits") is not None:
        stale = [p for p, hits in data["pattern_hits"].items() if hits == 0]
        if stale:
            problems.append(
                "leave-out entries that match no test (remove them): " + ", ".join(stale)
            )
    if full_run:
        unknown = sorted(expected_set - set(results))
        if unknown:
            print(
                f"upstream: warning: {len(unknown)} expected_failures.txt entries match no test run "
                f"(--update-expected drops them): {', '.join(unknown[:10])}"
            )

    # per-module breakdown
    print()
    print(
        f"upstream: LangGraph {args.version}, per module (passed/run; failing expected; left out; skipped)"
    )
    left_out_by_module: Counter[str] = Counter(
        _module(i) for ids in data["left_out"].values() for i in ids
    )
    for module in MODULES:
        ids = [i for i in ran if _module(i) == module]
        ok = sum(ran[i]["outcome"] == "passed" for i in ids)
        exp = sum(i in expected_set and ran[i]["outcome"] in _FAILING for i in ids)
        skip = sum(_module(i) == module for i in skipped)
        print(
            f"  {module:36} {ok:5}/{len(ids):<5} {exp:5} expected-failing {left_out_by_module[module]:5} left out {skip:3} skipped"
        )
    total_left_out = sum(len(ids) for ids in data["left_out"].values())
    print(f"upstream: {total_left_out} test cases left out (tests/upstream/leave_out.py):")
    for reason, ids in sorted(data["left_out"].items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(ids):5}  {reason}")
    if skipped:
        print(f"upstream: {len(skipped)} test cases skipped by their own markers (not counted)")

    print(_kind_counts(sections, [i for i in failing if i in expected_set]))

    if args.failures:
        _write_failures(Path(args.failures), {i: ran[i] for i in failing}, args.version)
        print(f"upstream: failures grouped by message written to {args.failures}")

    if now_passing:
        print()
        print(
            f"upstream: {len(now_passing)} test(s) now passing, remove from expected_failures.txt "
            "(or run with --update-expected):"
        )
        for i in now_passing:
            print(f"  now passing, remove from expected_failures.txt: {i}")
    if args.update_expected and problems:
        print(
            "upstream: NOT updating expected_failures.txt: the run itself went wrong (see the errors below)"
        )
    elif args.update_expected:
        ran_ids = set(ran)
        kept = [i for i in expected if i not in ran_ids and (not full_run or i in results)]
        _write_expected(kept + failing)
        print(
            f"upstream: wrote {len(kept) + len(failing)} ids to {EXPECTED_FAILURES.relative_to(REPO)}"
        )
        regressions = []
    if regressions:
        print()
        print(
            f"upstream: {len(regressions)} REGRESSION(S): in-scope tests failing that are not in expected_failures.txt"
            " (rerun one with: python -m tests.upstream --tb short -k NAME)"
        )
        for i in regressions:
            print(f"  {i}: {_first_line(results[i]['message'])}")
        problems.append(f"{len(regressions)} regression(s)")
    print()
    print(f"upstream: took {elapsed:.0f}s")
    for problem in problems:
        print(f"upstream: ERROR: {problem}")
    print("upstream: FAILED" if problems else "upstream: OK")
    print(f"upstream: {len(passed)}/{len(ran)} passed")
    return 1 if problems else 0


def _kind_counts(sections: dict[str, tuple[str, str]], listed_failing: list[str]) -> str:
    """How many listed failures are deliberate and how many not yet, in this run and in
    the whole list."""
    ran: Counter[str] = Counter(sections[i][0] for i in listed_failing)
    listed: Counter[str] = Counter(kind for kind, _ in sections.values())
    return (
        f"upstream: expected failures that failed in this run: {ran['deliberate']} deliberate, "
        f"{ran['not yet']} not yet (whole list: {listed['deliberate']} deliberate, "
        f"{listed['not yet']} not yet)"
    )


def _write_failures(path: Path, failing: dict[str, dict[str, Any]], version: str) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for test_id, result in failing.items():
        groups[normalise(result["message"])].append(test_id)
    out = [
        f"# In-scope failures of LangGraph {version}'s tests on our engine, grouped by message",
        "",
    ]
    for message, ids in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        out.append(f"## {len(ids)} x `{message}`")
        out.extend(f"- {i}" for i in ids[:8])
        if len(ids) > 8:
            out.append(f"- ... and {len(ids) - 8} more")
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


def _first_line(message: str) -> str:
    lines = message.strip().splitlines()
    return lines[0][:200] if lines else "(no message)"
