"""Atomic writes: the previous file survives a failing, interrupted or killed writer."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import exchange_eval.core.atomic as atomic
from exchange_eval.core.atomic import (
    AtomicWriteError,
    atomic_dir,
    atomic_path,
    cleanup_stale_temps,
    is_temp_name,
    replace_dir_atomic,
    write_bytes_atomic,
    write_csv_atomic,
    write_parquet_atomic,
    write_text_atomic,
)
from support import SRC


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_text_creates_folders_and_overwrites(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    write_text_atomic(target, "première\n")
    assert target.read_text(encoding="utf-8") == "première\n"
    write_text_atomic(target, "seconde\r\n")
    assert target.read_bytes() == b"seconde\r\n"
    assert _names(target.parent) == ["out.txt"]


def test_write_bytes_keeps_existing_permissions(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_bytes_mode_and_no_overwrite(tmp_path):
    target = tmp_path / "secret"
    write_bytes_atomic(target, b"k1", overwrite=False, mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_bytes_atomic(target, b"k2", overwrite=False, mode=0o600)
    assert target.read_bytes() == b"k1"
    assert _names(tmp_path) == ["secret"]


def test_exception_inside_block_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "table.parquet"
    target.write_bytes(b"old content")
    with pytest.raises(RuntimeError, match="boom"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old content"
    assert _names(tmp_path) == ["table.parquet"]


def test_keyboard_interrupt_inside_block_leaves_old_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("new, partial")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["out.csv"]


def test_block_that_writes_nothing_is_an_error(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(AtomicWriteError, match="nothing was written"), atomic_path(target):
        pass
    assert target.read_text() == "old"


def test_temp_path_is_a_hidden_sibling(tmp_path):
    with atomic_path(tmp_path / "x.parquet") as tmp:
        assert tmp.parent == tmp_path
        assert is_temp_name(tmp.name) and tmp.name.startswith(".x.parquet.tmp-")
        assert not tmp.exists()
        tmp.write_text("x")


def test_parquet_roundtrip_without_index(tmp_path):
    df = pd.DataFrame({"pid": ["p_1", "p_2"], "value": [1.5, None]}, index=[10, 11])
    path = write_parquet_atomic(tmp_path / "responses.parquet", df)
    back = pd.read_parquet(path)
    assert back.columns.tolist() == ["pid", "value"]
    assert back.index.tolist() == [0, 1]
    assert back["pid"].tolist() == ["p_1", "p_2"] and back["value"].iloc[0] == 1.5


def test_csv_has_bom_is_neutralized_and_reads_back(tmp_path):
    df = pd.DataFrame({"country": ["Sénégal", "Côte d'Ivoire"], "old": ["=1+1", "-1"], "n": [-1, 2]})
    path = write_csv_atomic(tmp_path / "cleaning_log.csv", df)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == "country,old,n\nSénégal,'=1+1,-1\nCôte d'Ivoire,-1,2\n"
    back = pd.read_csv(path)
    assert back.columns.tolist() == ["country", "old", "n"]
    assert back["n"].tolist() == [-1, 2]
    assert df["old"].iloc[0] == "=1+1"


def test_csv_options(tmp_path):
    df = pd.DataFrame({"a": ["=x"]})
    path = write_csv_atomic(tmp_path / "t.csv", df, bom=False, neutralize=False, sep=";")
    assert path.read_bytes() == b"a\n=x\n"


_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from exchange_eval.core.atomic import atomic_path
    with atomic_path(sys.argv[1]) as tmp:
        with open(tmp, "wb") as handle:
            for i in range(100000):
                handle.write(b"n" * 65536)
                handle.flush()
                if i == 3:
                    print("writing", flush=True)
                time.sleep(0.01)
    """
)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_slow_writer(target: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE, env=env,
        # a test run started in the background (`cmd &`) ignores Ctrl-C, and so would the writer
        preexec_fn=_default_sigint if os.name == "posix" else None,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"writing"
    return proc


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_writer_leaves_old_file_and_a_cleanable_temp(tmp_path):
    target = tmp_path / "responses.parquet"
    target.write_bytes(b"previous version")
    proc = _start_slow_writer(target)
    proc.kill()
    proc.wait(timeout=10)
    assert target.read_bytes() == b"previous version"
    leftovers = [name for name in _names(tmp_path) if name != "responses.parquet"]
    assert len(leftovers) == 1 and is_temp_name(leftovers[0])
    assert leftovers[0].startswith(f".responses.parquet.tmp-{proc.pid}-")
    assert (tmp_path / leftovers[0]).stat().st_size >= 4 * 65536
    removed = cleanup_stale_temps(tmp_path)
    assert [p.name for p in removed] == leftovers
    assert _names(tmp_path) == ["responses.parquet"]


@pytest.mark.skipif(os.name != "posix", reason="SIGINT")
def test_interrupted_writer_cleans_up_after_itself(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"previous version")
    proc = _start_slow_writer(target)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    assert proc.returncode != 0
    assert target.read_bytes() == b"previous version"
    assert _names(tmp_path) == ["out.bin"]


def test_cleanup_keeps_live_writers_temps_until_max_age(tmp_path):
    live = tmp_path / f".table.parquet.tmp-{os.getpid()}-0badcafe"
    live.write_text("being written")
    other = tmp_path / "table.parquet"
    other.write_text("data")
    hidden = tmp_path / ".hidden"
    hidden.write_text("not ours")
    assert cleanup_stale_temps(tmp_path) == []
    old = time.time() - 2 * 86400
    os.utime(live, (old, old))
    assert cleanup_stale_temps(tmp_path) == [live]
    assert _names(tmp_path) == [".hidden", "table.parquet"]
    assert cleanup_stale_temps(tmp_path / "missing") == []


def test_cleanup_respects_older_than_and_recurses(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "process_alive", lambda pid: False)
    sub = tmp_path / "round-a"
    sub.mkdir()
    fresh = sub / ".x.csv.tmp-999999-00000000"
    fresh.write_text("x")
    old_dir = sub / ".round-a.old-999999-deadbeef"
    old_dir.mkdir()
    (old_dir / "t.parquet").write_text("x")
    assert cleanup_stale_temps(tmp_path, older_than=3600, recursive=True) == []
    assert cleanup_stale_temps(tmp_path) == []  # not recursive: nothing at the top
    assert sorted(p.name for p in cleanup_stale_temps(tmp_path, recursive=True)) == [
        ".round-a.old-999999-deadbeef",
        ".x.csv.tmp-999999-00000000",
    ]
    assert _names(sub) == []


def test_is_temp_name():
    assert is_temp_name(".a.parquet.tmp-12-0123abcd")
    assert is_temp_name(".round-1.old-12-0123abcd")
    assert not is_temp_name("a.parquet")
    assert not is_temp_name(".a.parquet.tmp-12-XYZ")
    assert not is_temp_name(".exchange_eval_key")


def test_replace_dir_swaps_and_removes_old(tmp_path):
    final = tmp_path / "round-a"
    final.mkdir()
    (final / "old.parquet").write_text("old")
    new = tmp_path / "staging"
    new.mkdir()
    (new / "new.parquet").write_text("new")
    assert replace_dir_atomic(new, final) == final
    assert _names(final) == ["new.parquet"]
    assert _names(tmp_path) == ["round-a"]


def test_replace_dir_into_missing_destination(tmp_path):
    new = tmp_path / "staging"
    new.mkdir()
    (new / "t.csv").write_text("x")
    replace_dir_atomic(new, tmp_path / "processed" / "round-b")
    assert _names(tmp_path / "processed" / "round-b") == ["t.csv"]


def test_replace_dir_failure_restores_old(tmp_path, monkeypatch):
    final = tmp_path / "round-a"
    final.mkdir()
    (final / "old.parquet").write_text("old")
    new = tmp_path / "staging"
    new.mkdir()
    real_rename = os.rename
    calls = []

    def flaky_rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", flaky_rename)
    with pytest.raises(AtomicWriteError, match="cannot move"):
        replace_dir_atomic(new, final)
    monkeypatch.undo()
    assert _names(final) == ["old.parquet"]
    assert sorted(_names(tmp_path)) == ["round-a", "staging"]


def test_replace_dir_needs_a_folder(tmp_path):
    with pytest.raises(AtomicWriteError, match="not a folder"):
        replace_dir_atomic(tmp_path / "missing", tmp_path / "final")


def test_atomic_dir_success_and_failure(tmp_path):
    final = tmp_path / "round-a"
    with atomic_dir(final) as tmp:
        (tmp / "a.parquet").write_text("v1")
    assert _names(final) == ["a.parquet"]
    with pytest.raises(ValueError), atomic_dir(final) as tmp:
        (tmp / "a.parquet").write_text("v2 half")
        raise ValueError("bad data")
    assert (final / "a.parquet").read_text() == "v1"
    assert _names(tmp_path) == ["round-a"]
