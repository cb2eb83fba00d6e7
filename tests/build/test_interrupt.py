"""Interrupted cleaning loses nothing: ``exchange-eval clean`` killed with SIGKILL while it
writes leaves the previous processed round loadable with the same data hash, and the
next clean removes what the killed one left behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exchange_eval.clean.pipeline import clean_round
from exchange_eval.core.atomic import is_temp_name
from exchange_eval.core.errors import DataErrors
from exchange_eval.core.paths import Workspace
from exchange_eval.core.processed import load_round

ROUND = "jsr-2025-fr"


@pytest.fixture
def cleaned(demo_copy: Path) -> tuple[Workspace, str]:
    ws = Workspace.from_options(demo_copy, demo_copy.parent / "reports")
    result = clean_round(ws, ROUND)
    return ws, result.meta["data_hash"]


def _start_clean(ws: Workspace) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from exchange_eval.cli import main; main()",
         "--data-dir", str(ws.data_dir), "clean", ROUND],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _kill_when_writing(ws: Workspace, timeout: float = 120.0) -> bool:
    """Start a clean and SIGKILL it as soon as its temporary folder appears.

    Returns whether the kill landed while writing (False: the clean finished first).
    """
    process = _start_clean(ws)
    processed = ws.processed_dir
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if any(is_temp_name(name) for name in os.listdir(processed)):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
            if process.poll() is not None:
                return False
            time.sleep(0.0005)
        raise AssertionError("clean neither wrote nor finished in time")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _assert_intact(ws: Workspace, data_hash: str) -> None:
    folder = ws.processed_round(ROUND)
    assert folder.is_dir(), sorted(os.listdir(ws.processed_dir))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["data_hash"] == data_hash
    loaded = load_round(ws, ROUND)
    assert len(loaded.participants) == 12
    assert len(loaded.responses) == 747


def test_clean_killed_while_writing_keeps_the_previous_output(cleaned):
    ws, data_hash = cleaned
    landed = _kill_when_writing(ws)
    print(f"killed while writing: {landed}")
    _assert_intact(ws, data_hash)
    if landed:  # a killed writer's leftovers, removed by the next clean
        clean_round(ws, ROUND)
    assert [n for n in os.listdir(ws.processed_dir) if n.startswith(".")] == []
    _assert_intact(ws, data_hash)


@pytest.mark.slow
def test_clean_killed_at_random_moments_keeps_the_previous_output(cleaned):
    ws, data_hash = cleaned
    rng = random.Random(20250210)
    for _ in range(5):
        process = _start_clean(ws)
        time.sleep(rng.uniform(0.5, 8.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        _assert_intact(ws, data_hash)
    clean_round(ws, ROUND)
    assert [n for n in os.listdir(ws.processed_dir) if n.startswith(".")] == []
    _assert_intact(ws, data_hash)


def test_round_moved_aside_by_a_killed_clean_is_restored(cleaned):
    """Killed between the two renames of the swap, a clean leaves the previous round only
    under ``.<round>.old-<pid>-<hex>``: the next clean puts it back rather than deleting it,
    even when that clean fails."""
    ws, data_hash = cleaned
    folder = ws.processed_round(ROUND)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    aside = folder.with_name(f".{ROUND}.old-{child.pid}-0badcafe")
    folder.rename(aside)
    (ws.raw_round(ROUND) / "kobo_pre.csv").write_bytes(b"")  # this clean will fail
    with pytest.raises(DataErrors):
        clean_round(ws, ROUND)
    assert not aside.exists()
    _assert_intact(ws, data_hash)
