"""``python -m bench.storage`` prints, per saver, stored bytes, file/table bytes and their
ratios to the payload."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rows(stdout: str) -> dict[str, list[str]]:
    return {
        m.group(1): m.group(2).split()
        for m in re.finditer(r"^((?:ours|LangGraph) \w+)\s+(.*)$", stdout, re.MULTILINE)
    }


def test_storage_bench_prints_sizes_and_ratios_per_saver():
    """A short run prints each of our savers with stored bytes and their ratio to the
    payload, the SQLite file before and after VACUUM, and ratios that are the sizes divided
    by the printed payload (no saver skipped silently)."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.storage", "--turns", "60", "--window", "10", "--no-postgres"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    payload = int(re.search(r"payload ([\d,]+) bytes", proc.stdout).group(1).replace(",", ""))
    rows = _rows(proc.stdout)
    memory, sqlite = rows["ours InMemorySaver"], rows["ours SqliteSaver"]
    assert memory[2:6] == ["-", "-", "-", "-"]  # no file in memory: its figure is bytes held
    for cells in (memory, sqlite):
        stored = int(cells[0].replace(",", ""))
        assert stored > payload  # every message text is in there, with its id and framing
        assert cells[1] == f"{stored / payload:.2f}"
    file, vacuumed = (int(sqlite[i].replace(",", "")) for i in (2, 4))
    assert file >= vacuumed > int(sqlite[0].replace(",", ""))
    assert sqlite[3] == f"{file / payload:.2f}"
    assert sqlite[5] == f"{vacuumed / payload:.2f}"
