"""Shared fixtures: the demo rounds, written once per test session.

`demo_data` is a data folder filled by `write_demo` (seed 0, the three rounds of
`DEMO_ROUNDS`: raw exports under ``raw/`` and ``demo_truth.json``). Every test of the
session shares it (each xdist worker writes its own), so it is read only; a check at the
end of the session fails when a test changed it. A test that changes data works on a
copy: `demo_copy` (the whole folder, fresh for each test) or, from a module-scoped
fixture, `copy_demo` (the rounds it names, into a folder it chooses).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from exchange_eval.demo import TRUTH_NAME, write_demo

DEMO_SEED = 0
DEMO_ROUNDS = ("jsr-2025-fr", "jsr-2025-en", "salex-2025")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file: enough to see that a test wrote there."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's demo data folder (``raw/<round>/`` and ``demo_truth.json``): read only."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    assert write_demo(data_dir, seed=DEMO_SEED, n_rounds=len(DEMO_ROUNDS)) == list(DEMO_ROUNDS)
    before = _snapshot(data_dir)
    yield data_dir
    after = _snapshot(data_dir)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, f"a test changed the shared demo folder (use demo_copy or copy_demo): {changed}"


@pytest.fixture(scope="session")
def demo_raw(demo_data: Path) -> Path:
    """The session demo's ``raw/`` folder, one folder per round: read only."""
    return demo_data / "raw"


@pytest.fixture(scope="session")
def demo_rounds(demo_data: Path) -> list[str]:
    """The round ids `write_demo` returned for the session demo, in order."""
    return list(DEMO_ROUNDS)


@pytest.fixture(scope="session")
def demo_truth(demo_data: Path) -> dict:
    """The session demo's ``demo_truth.json``: the planted effects (do not modify)."""
    return json.loads((demo_data / TRUTH_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def copy_demo(demo_data: Path) -> Callable[..., Path]:
    """A function ``copy_demo(data_dir, *round_ids) -> data_dir`` that copies rounds of the
    session demo into ``data_dir/raw/``: the rounds named, or every round and the truth
    file when none is named. For fixtures wider than one test, which cannot use
    `demo_copy`."""

    def copy(data_dir: Path, *round_ids: str) -> Path:
        for round_id in round_ids or DEMO_ROUNDS:
            shutil.copytree(demo_data / "raw" / round_id, data_dir / "raw" / round_id)
        if not round_ids:
            shutil.copy2(demo_data / TRUTH_NAME, data_dir / TRUTH_NAME)
        return data_dir

    return copy


@pytest.fixture
def demo_copy(tmp_path: Path, copy_demo: Callable[..., Path]) -> Path:
    """A copy of the whole session demo, ``tmp_path/data``, for a test that changes data."""
    return copy_demo(tmp_path / "data")
