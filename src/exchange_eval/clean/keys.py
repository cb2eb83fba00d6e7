"""The pseudonymisation key: read from the workspace's settings or a key file, made on first use.

A pid is a keyed hash (`exchange_eval.clean.protect.pseudonym`); without the key nobody
can recompute pids from a list of names. The key comes from ``EXCHANGE_EVAL_KEY`` (read
by the CLI into `Workspace.key`) or a key file outside version control, created with
random bytes the first time a round is cleaned.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from ..core.atomic import write_bytes_atomic
from ..core.config import KEY_ENV, KEY_FILE_ENV
from ..core.errors import ExchangeEvalError

__all__ = ["KEY_FILE_NAME", "KeyUnavailableError", "load_key"]

KEY_FILE_NAME = ".exchange_eval_key"


class KeyUnavailableError(ExchangeEvalError):
    """The pseudonymisation key can be neither read nor created."""

    exit_code = 2


_HOW_TO_SET = (
    f"set the environment variable {KEY_ENV} to a long secret phrase (the same one every "
    f"time, or pids change), or {KEY_FILE_ENV} to the path of a writable key file"
)


def _key_file(data_dir: Path, key_file: str | Path | None) -> Path:
    if key_file:
        return Path(key_file).expanduser()
    return Path(data_dir) / KEY_FILE_NAME


def _read_key_file(path: Path) -> bytes:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:  # a binary key someone made by hand: use it as it is
        return raw
    return text.encode("utf-8")


def load_key(data_dir: str | Path, *, key: str | None = None, key_file: str | Path | None = None) -> bytes:
    """Return the secret key used for pids, creating a key file on first use.

    Parameters
    ----------
    data_dir : str or Path
        The data folder; the default key file is ``<data_dir>/.exchange_eval_key``
        (git-ignored).
    key : str, optional
        The key's text when the user set ``EXCHANGE_EVAL_KEY`` (`Workspace.key`).
    key_file : str or Path, optional
        The key file named by ``EXCHANGE_EVAL_KEY_FILE`` (`Workspace.key_file`).

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    KeyUnavailableError
        If ``EXCHANGE_EVAL_KEY`` is set but empty, or the key file cannot be read or
        created (read-only folder, a directory in its place, an empty file). The message
        says how to set ``EXCHANGE_EVAL_KEY`` instead.

    Notes
    -----
    Where the key comes from, first match wins:

    1. ``EXCHANGE_EVAL_KEY``: its UTF-8 bytes, without surrounding whitespace.
    2. The file named by ``EXCHANGE_EVAL_KEY_FILE``, else ``<data_dir>/.exchange_eval_key``.
       A missing file is created with 32 random bytes from `secrets`, written as 64
       hexadecimal characters, permissions ``0o600``, atomically and without ever
       replacing a file another process created at the same moment (parallel builds get
       the same key).

    The key is the file's text without surrounding whitespace, encoded as UTF-8 — so
    setting ``EXCHANGE_EVAL_KEY`` to the content of the key file gives the same pids on
    another machine. Losing the key means new pids for everyone: back it up outside the
    repository.
    """
    if key is not None:
        if not key.strip():
            raise KeyUnavailableError(f"{KEY_ENV} is set but empty; {_HOW_TO_SET}")
        return key.strip().encode("utf-8")

    path = _key_file(Path(data_dir), key_file)
    for _attempt in range(2):
        try:
            key = _read_key_file(path)
        except FileNotFoundError:
            try:
                write_bytes_atomic(path, (secrets.token_hex(32) + "\n").encode("ascii"), overwrite=False, mode=0o600)
            except FileExistsError:  # another process created it first: read theirs
                continue
            except OSError as exc:
                raise KeyUnavailableError(
                    f"cannot create the pseudonymisation key file {path} ({exc.strerror or exc}); {_HOW_TO_SET}"
                ) from None
            continue
        except OSError as exc:
            raise KeyUnavailableError(
                f"cannot read the pseudonymisation key file {path} ({exc.strerror or exc}); {_HOW_TO_SET}"
            ) from None
        if not key:
            raise KeyUnavailableError(f"the key file {path} is empty; delete it to get a new one, or {_HOW_TO_SET}")
        return key
    raise KeyUnavailableError(f"the key file {path} appeared and vanished while being read; {_HOW_TO_SET}")
