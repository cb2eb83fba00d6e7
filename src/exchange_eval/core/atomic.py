"""Write files and folders so that a reader sees either the old or the new version, never half.

Every writer goes through a temporary file in the destination's own folder (same file
system, so ``os.replace`` is an atomic rename) and is renamed onto the destination only
when it has been written completely. When the writer raises — including
``KeyboardInterrupt`` — the temporary file is removed and the previous file is left
untouched. A process killed outright (``SIGKILL``, power loss) cannot clean up after
itself: its temporary file stays behind under a recognisable name
(``.<name>.tmp-<pid>-<hex>``) that `cleanup_stale_temps` removes later; the destination
still holds the previous version.

CSV files are written for Excel users: UTF-8 *with* a byte-order mark, because Excel
opens a BOM-less UTF-8 CSV in the legacy code page and garbles every accent ("Sénégal"
becomes "SÃ©nÃ©gal"); pandas, DuckDB and R's readr all skip the BOM. String cells are
neutralised against formula injection (`exchange_eval.core.safe.neutralize_frame`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ExchangeEvalError, os_error_message
from .lifecycle import swap_guard
from .safe import neutralize_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "atomic_path",
    "atomic_dir",
    "write_bytes_atomic",
    "write_text_atomic",
    "write_parquet_atomic",
    "write_csv_atomic",
    "replace_dir_atomic",
    "cleanup_stale_temps",
    "recover_dir",
    "process_alive",
    "is_temp_name",
    "temp_sibling",
    "AtomicWriteError",
    "check_writable",
]

# ".<name>.tmp-<pid>-<8 hex>[.<ext>]" for files and folders being written (the extension for
# tools that insist on one: papermill wants .ipynb), ".<name>.old-<pid>-<8 hex>" for a
# folder moved aside by replace_dir_atomic.
_TEMP_NAME = re.compile(
    r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-(?P<token>[0-9a-f]{8})(?P<ext>\.[A-Za-z0-9]{1,8})?$"
)


class AtomicWriteError(ExchangeEvalError):
    """A file or folder could not be written or swapped into place."""


def _temp_sibling(path: Path, kind: str = "tmp", ext: str = "") -> Path:
    return path.with_name(f".{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}{ext}")


def temp_sibling(path: str | Path, ext: str = "") -> Path:
    """A new temporary name beside ``path`` (``.<name>.tmp-<pid>-<hex><ext>``), for a writer
    that swaps it in itself; `cleanup_stale_temps` removes it once its process is gone.

    >>> is_temp_name(temp_sibling("reports/r/round_report.ipynb", ".ipynb").name)
    True
    """
    return _temp_sibling(Path(path), "tmp", ext)


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is a temporary name made by this module (for globbing and ignoring).

    Examples
    --------
    >>> is_temp_name(".responses.parquet.tmp-4242-0badcafe")
    True
    >>> is_temp_name(".round_report.html.tmp-4242-0badcafe.html")
    True
    >>> is_temp_name("responses.parquet")
    False
    """
    return _TEMP_NAME.match(name) is not None


def _fsync_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (or Windows on a read-only handle) refuse; not fatal
        pass
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Persist a rename: POSIX wants the folder itself synced. A no-op where unsupported."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | Path, *, fsync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or Path
        The destination. Its folder is created if needed.
    fsync : bool, default True
        Flush the written file to disk before the rename, so a crash right after cannot
        leave an empty destination.

    Yields
    ------
    Path
        A path that does not exist yet, in the same folder as ``path``. The block must
        create it (any writer: pandas, pyarrow, ``open``).

    Raises
    ------
    AtomicWriteError
        If the block finished without creating the temporary file.

    Notes
    -----
    On any exception (``BaseException``, so ``KeyboardInterrupt`` too) the temporary file
    is removed and the exception propagates; ``path`` keeps its previous content. When
    ``path`` exists, its permission bits are copied to the new file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "out.txt"
    ...     with atomic_path(target) as tmp:
    ...         _ = tmp.write_text("done")
    ...     target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_sibling(path)
    try:
        yield tmp
        if not tmp.exists():
            raise AtomicWriteError(f"nothing was written for {path} (the writer created no file)")
        if fsync:
            _fsync_file(tmp)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    if fsync:
        _fsync_dir(path.parent)


def write_bytes_atomic(
    path: str | Path, data: bytes, *, overwrite: bool = True, mode: int | None = None
) -> Path:
    """Write ``data`` to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        Destination file; its folder is created if needed.
    data : bytes
        The whole content.
    overwrite : bool, default True
        With False, never replace an existing file: the new file is hard-linked into place,
        which fails when ``path`` exists even if another process created it a moment ago.
    mode : int, optional
        Permission bits for a new file (e.g. ``0o600`` for a secret). Default: the usual
        ``0o666`` minus the umask, or the existing file's bits when overwriting.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        With ``overwrite=False``, when ``path`` already exists.
    """
    path = Path(path)
    if overwrite:
        with atomic_path(path) as tmp:
            _write_new(tmp, data, mode)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_sibling(path)
    try:
        _write_new(tmp, data, mode)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system: exclusive create is the fallback
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        _remove(tmp)
    _fsync_dir(path.parent)
    return path


def _write_new(tmp: Path, data: bytes, mode: int | None) -> None:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    with os.fdopen(fd, "wb") as handle:
        if mode is not None:  # the umask may have removed bits; never leaves more than asked
            os.chmod(tmp, mode)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, exactly as given (no newline translation).

    Parameters
    ----------
    path : str or Path
        Destination file.
    text : str
        The whole content.
    encoding : str, default "utf-8"
        Text encoding.

    Returns
    -------
    Path
        ``path``.
    """
    return write_bytes_atomic(path, text.encode(encoding))


def write_parquet_atomic(path: str | Path, df: pd.DataFrame, **kwargs: Any) -> Path:
    """Write ``df`` to a Parquet file atomically (pyarrow engine, without the index).

    Parameters
    ----------
    path : str or Path
        Destination ``.parquet`` file.
    df : pandas.DataFrame
        The table.
    **kwargs
        Passed to `pandas.DataFrame.to_parquet` (e.g. ``compression``).

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, engine="pyarrow", index=False, **kwargs)
    return Path(path)


def write_csv_atomic(
    path: str | Path,
    df: pd.DataFrame,
    *,
    bom: bool = True,
    neutralize: bool = True,
    **kwargs: Any,
) -> Path:
    """Write ``df`` as CSV atomically, ready for Excel.

    Parameters
    ----------
    path : str or Path
        Destination ``.csv`` file.
    df : pandas.DataFrame
        The table; the index is not written.
    bom : bool, default True
        Start with a UTF-8 byte-order mark, so Excel shows accents right (see the module
        docstring). pandas (``read_csv``) skips it.
    neutralize : bool, default True
        Prefix string cells that Excel would run as formulas with ``'``
        (`exchange_eval.core.safe.neutralize_frame`). Numeric columns are never changed.
    **kwargs
        Passed to `pandas.DataFrame.to_csv`.

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    Lines end with ``\\n`` on every platform, so the same table gives the same bytes.
    """
    if neutralize:
        df = neutralize_frame(df)
    options: dict[str, Any] = {"index": False, "lineterminator": "\n"}
    options.update(kwargs)
    options["encoding"] = "utf-8-sig" if bom else "utf-8"
    with atomic_path(path) as tmp:
        df.to_csv(tmp, **options)
    return Path(path)


def replace_dir_atomic(tmp_dir: str | Path, final_dir: str | Path) -> Path:
    """Swap a fully written folder ``tmp_dir`` into place as ``final_dir``.

    The old ``final_dir`` (if any) is renamed aside, ``tmp_dir`` renamed in, then the old
    one deleted. If renaming in fails, the old folder is put back and the error raised.

    Parameters
    ----------
    tmp_dir : str or Path
        The new content; must be on the same file system as ``final_dir`` (best: its
        sibling, as made by `atomic_dir`).
    final_dir : str or Path
        The destination folder.

    Returns
    -------
    Path
        ``final_dir``.

    Raises
    ------
    AtomicWriteError
        If ``tmp_dir`` is not a folder, or the swap failed (the old folder is restored).

    Notes
    -----
    Two renames are not one: for the instant between them ``final_dir`` does not exist,
    so a concurrent reader may find it missing (never half-written). A process killed in
    that instant leaves the old version under ``.<name>.old-<pid>-<hex>``; `recover_dir`
    puts it back.
    """
    tmp_dir = Path(tmp_dir)
    final_dir = Path(final_dir)
    if not tmp_dir.is_dir():
        raise AtomicWriteError(f"cannot swap in {tmp_dir}: it is not a folder")
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    with swap_guard():  # a worker whose build died ends before or after the two renames
        return _swap_dir(tmp_dir, final_dir)


def _swap_dir(tmp_dir: Path, final_dir: Path) -> Path:
    aside: Path | None = None
    if final_dir.exists() or final_dir.is_symlink():
        aside = _temp_sibling(final_dir, "old")
        try:
            os.rename(final_dir, aside)
        except OSError as exc:
            raise AtomicWriteError(f"cannot move {final_dir} aside to replace it: {exc}") from exc
    try:
        os.rename(tmp_dir, final_dir)
    except BaseException as exc:
        if aside is not None:
            os.rename(aside, final_dir)
        if isinstance(exc, OSError):
            raise AtomicWriteError(f"cannot move {tmp_dir} to {final_dir}: {exc}") from exc
        raise
    _fsync_dir(final_dir.parent)
    if aside is not None:
        _remove(aside)
    return final_dir


@contextlib.contextmanager
def atomic_dir(final_dir: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``final_dir``; swap it in when the block succeeds.

    On any exception the temporary folder is deleted and ``final_dir`` is untouched.

    Parameters
    ----------
    final_dir : str or Path
        The destination folder.

    Yields
    ------
    Path
        The temporary folder to fill.
    """
    final_dir = Path(final_dir)
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_sibling(final_dir)
    tmp.mkdir()
    try:
        yield tmp
        replace_dir_atomic(tmp, final_dir)
    except BaseException:
        _remove(tmp)
        raise


def check_writable(folder: str | Path) -> Path:
    """Make sure files can be created in ``folder`` (created if missing) before work starts.

    Raises
    ------
    AtomicWriteError
        Naming the folder and why (read-only, permission denied, disk full), so a build
        stops with one clear line instead of failing report after report.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise AtomicWriteError(f"{folder} is a file, not a folder: choose another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = _temp_sibling(folder / "write-test")
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        exc.filename = str(folder / "write-test")  # the message names the folder itself
        raise AtomicWriteError(os_error_message(exc)) from None
    return folder


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is running on this machine (True when it cannot be told)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # cannot tell cheaply: rely on age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


def cleanup_stale_temps(
    folder: str | Path, *, older_than: float = 0.0, max_age: float = 86400.0, recursive: bool = False
) -> list[Path]:
    """Remove temporary files and folders left behind by killed writers.

    A temporary entry (named by this module, see `is_temp_name`) is stale when the process
    that made it is no longer running on this machine and it is older than ``older_than``
    seconds, or in any case when it is older than ``max_age`` seconds (process ids are
    reused; the writer may have been on another machine sharing the folder).

    Parameters
    ----------
    folder : str or Path
        Folder to clean; a missing folder is fine.
    older_than : float, default 0
        Minimum age, in seconds, of a dead writer's leftovers before they are removed.
    max_age : float, default 86400
        Age after which a leftover is removed whatever its process id says.
    recursive : bool, default False
        Also clean sub-folders (not the inside of temporary folders themselves).

    Returns
    -------
    list of Path
        What was removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed: list[Path] = []
    now = time.time()
    for entry in sorted(folder.iterdir()):
        match = _TEMP_NAME.match(entry.name)
        if match is None:
            if recursive and entry.is_dir() and not entry.is_symlink():
                removed.extend(
                    cleanup_stale_temps(entry, older_than=older_than, max_age=max_age, recursive=True)
                )
            continue
        try:
            age = now - entry.lstat().st_mtime
        except FileNotFoundError:
            continue
        pid = int(match["pid"])
        if age >= max_age or (age >= older_than and not process_alive(pid)):
            _remove(entry)
            removed.append(entry)
    return removed


def recover_dir(final_dir: str | Path) -> list[Path]:
    """Undo what writers killed while replacing ``final_dir`` left beside it.

    Killed between the two renames of `replace_dir_atomic`, a writer leaves the previous
    folder only under ``.<name>.old-<pid>-<hex>``. When ``final_dir`` is missing, the
    latest such folder whose writer is gone is put back; then `cleanup_stale_temps`
    removes the leftovers of dead writers in the parent folder.

    Parameters
    ----------
    final_dir : str or Path
        The folder a writer was replacing (e.g. ``data/processed/<round>``).

    Returns
    -------
    list of Path
        The leftovers removed.
    """
    final_dir = Path(final_dir)
    parent = final_dir.parent
    if not parent.is_dir():
        return []
    if not final_dir.exists():
        aside = []
        for entry in parent.iterdir():
            match = _TEMP_NAME.match(entry.name)
            if (match and match["kind"] == "old" and match["name"] == final_dir.name and entry.is_dir()
                    and not process_alive(int(match["pid"]))):
                aside.append((entry.stat().st_mtime, entry))
        if aside:
            os.rename(max(aside)[1], final_dir)
    return cleanup_stale_temps(parent)
