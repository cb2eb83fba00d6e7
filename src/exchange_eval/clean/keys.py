"""The pseudonymisation key: read from the workspace's settings or a key file, made on first use.

A pid is a keyed hash (`exchange_eval.clean.protect.pseudonym`); without the key nobody
can recompute pids from a list of names. The key comes from ``EXCHANGE_EVAL_KEY`` (read
by the CLI into `Workspace.key`) or a key file outside version control, created with
random bytes the first time a round is cleaned.

Three rules protect it:

* **Strength.** A key must hold at least `MIN_KEY_BITS` (128) bits as `key_strength_bits`
  estimates them; a weaker one is refused (`WeakKeyError`): a short key can be found
  back by trying keys until the pids of known e-mail addresses come out.
* **Permissions.** A key file other users may read or write is refused (`WeakKeyError`,
  saying to run ``chmod 600``).
* **One key per data folder.** Each cleaned round's ``meta.json`` keeps the key's
  fingerprint (`key_fingerprint`: an HMAC of a constant, which reveals nothing of the
  key); `round_key` compares it with the current key's before a round is cleaned or a
  build starts, so a changed, lost or re-created key is an error naming the rounds
  cleaned with the old one (`KeyMismatchError`) instead of silently giving everyone new
  pids. ``--rekey`` cleans every round again with the new key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import stat
import string
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..core.atomic import write_bytes_atomic
from ..core.config import KEY_ENV, KEY_FILE_ENV
from ..core.errors import ExchangeEvalError
from ..core.paths import Workspace

__all__ = [
    "KEY_FILE_NAME",
    "MIN_KEY_BITS",
    "KeyMismatchError",
    "KeyUnavailableError",
    "WeakKeyError",
    "cleaned_fingerprints",
    "key_fingerprint",
    "key_file_path",
    "key_strength_bits",
    "load_key",
    "round_key",
]

KEY_FILE_NAME = ".exchange_eval_key"
MIN_KEY_BITS = 128
#: bits of one word of a passphrase: a word drawn at random from a 7,776-word Diceware list
WORD_BITS = math.log2(7776)
_FINGERPRINT_MESSAGE = b"exchange-eval key fingerprint v1"


class KeyUnavailableError(ExchangeEvalError):
    """The pseudonymisation key can be neither read nor created."""

    exit_code = 2


class WeakKeyError(KeyUnavailableError):
    """The key is too short or too simple, or its file is open to other users."""

    exit_code = 1


class KeyMismatchError(ExchangeEvalError):
    """The key is not the one some cleaned rounds were made with (``rounds`` names them)."""

    def __init__(self, message: str, rounds: Iterable[str] = ()) -> None:
        self.rounds = list(rounds)
        super().__init__(message)


_HOW_TO_SET = (
    f"set the environment variable {KEY_ENV} to a long secret phrase (the same one every "
    f"time, or pids change), or {KEY_FILE_ENV} to the path of a writable key file"
)
_HOW_TO_MAKE = (
    "a key needs at least 128 bits: 32 hexadecimal digits, 22 random letters and digits, or a "
    "phrase of 10 random words; make one with "
    "python -c \"import secrets; print(secrets.token_hex(32))\""
)


def key_strength_bits(key: bytes) -> float:
    """Estimate how many bits of secret a key holds, as if it had been drawn at random.

    Parameters
    ----------
    key : bytes
        The key (UTF-8 text, or raw bytes).

    Returns
    -------
    float
        The estimate, in bits. `load_key` refuses keys under `MIN_KEY_BITS`.

    Notes
    -----
    The rule, in order:

    1. A key that is one block repeated (``abcabcabc``) counts as that block once.
    2. Bytes that are not UTF-8 text, or hold control characters: 8 bits per byte.
    3. Hexadecimal digits only (``0-9a-f`` or ``0-9A-F``): 4 bits per digit.
    4. Several words separated by spaces (a passphrase): `WORD_BITS` (12.9) bits per
       distinct word, as for words drawn at random from a Diceware list of 7,776 words.
    5. Anything else: ``log2(pool)`` bits per character, the pool being the sum of the
       character classes the key uses: 26 lower-case letters, 26 upper-case, 10 digits,
       33 other ASCII characters (punctuation, space), 100 for any other character.

    This is an upper bound: a key a person makes up holds less than a random one of the
    same shape. 128 bits are 32 hexadecimal digits, 22 random letters and digits, 20
    random printable characters or 10 random words; the key file made on first use holds
    256 bits (64 hexadecimal digits).

    Examples
    --------
    >>> round(key_strength_bits(b"z"), 1), round(key_strength_bits(b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), 1)
    (4.7, 4.7)
    >>> key_strength_bits(b"00112233445566778899aabbccddeeff")
    128.0
    >>> round(key_strength_bits("une phrase secrète".encode()), 1)
    38.8
    """
    block = _shortest_period(key)
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or any(unicodedata.category(c) == "Cc" for c in text):  # bytes, not text
        return 8.0 * len(block)
    if re.fullmatch(r"[0-9a-f]+|[0-9A-F]+", text):
        return 4.0 * len(text)
    words = [w for w in text.split(" ") if w]
    if len(words) > 1:
        return WORD_BITS * len(set(words))
    pool = 0
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    for chars in classes:
        if any(c in chars for c in text):
            pool += len(chars)
    if any(c.isascii() and not any(c in chars for chars in classes) for c in text):
        pool += 33
    if any(not c.isascii() for c in text):
        pool += 100
    return len(text) * math.log2(max(pool, 2))


def _shortest_period(data: bytes) -> bytes:
    """The shortest block that, repeated, makes ``data``."""
    n = len(data)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and data[:size] * (n // size) == data:
            return data[:size]
    return data


def key_fingerprint(key: bytes) -> str:
    """A fingerprint of the key for ``meta.json``: 16 hex digits of HMAC-SHA256(key, constant).

    It tells whether two keys are the same without revealing either (finding the key from
    it means trying keys, hopeless for the 128 bits `load_key` asks for).

    Examples
    --------
    >>> key_fingerprint(b"00112233445566778899aabbccddeeff") == key_fingerprint(b"00112233445566778899aabbccddeeff")
    True
    >>> len(key_fingerprint(b"00112233445566778899aabbccddeeff"))
    16
    """
    return hmac.digest(bytes(key), _FINGERPRINT_MESSAGE, hashlib.sha256).hex()[:16]


def key_file_path(data_dir: str | Path, key_file: str | Path | None = None) -> Path:
    """Where the key file is: ``key_file`` (``EXCHANGE_EVAL_KEY_FILE``), else
    ``<data_dir>/.exchange_eval_key``."""
    if key_file:
        return Path(key_file).expanduser()
    return Path(data_dir) / KEY_FILE_NAME


def _check_permissions(path: Path) -> None:
    """Refuse a key file that users other than its owner may read or write."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise WeakKeyError(
            f"the key file {path} can be read or changed by other users (permissions {mode:o}): "
            f"run `chmod 600 {path}` so that only you can read it"
        )


def _read_key_file(path: Path) -> bytes:
    raw = path.read_bytes()
    _check_permissions(path)
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:  # a binary key someone made by hand: use it as it is
        return raw
    return text.encode("utf-8")


def _check_strength(key: bytes, where: str) -> bytes:
    bits = key_strength_bits(key)
    if bits < MIN_KEY_BITS:
        raise WeakKeyError(f"{where} holds about {bits:.0f} bits of secret, too few to protect pids: {_HOW_TO_MAKE}")
    return key


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
    WeakKeyError
        If the key holds fewer than `MIN_KEY_BITS` bits (`key_strength_bits`), or its file
        can be read or written by other users (the message gives the ``chmod``).

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
        return _check_strength(key.strip().encode("utf-8"), KEY_ENV)

    path = key_file_path(data_dir, key_file)
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
        return _check_strength(key, f"the key file {path}")
    raise KeyUnavailableError(f"the key file {path} appeared and vanished while being read; {_HOW_TO_SET}")


def cleaned_fingerprints(ws: Workspace) -> dict[str, str]:
    """The key fingerprint in each cleaned round's ``meta.json`` (rounds without one left out)."""
    found: dict[str, str] = {}
    if not ws.processed_dir.is_dir():
        return found
    for folder in sorted(ws.processed_dir.iterdir()):
        if folder.name.startswith("."):
            continue
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        fingerprint = meta.get("key_fingerprint") if isinstance(meta, dict) else None
        if isinstance(fingerprint, str) and fingerprint:
            found[folder.name] = fingerprint
    return found


def round_key(ws: Workspace, *, rekey: bool = False, check: bool = True) -> tuple[bytes, str]:
    """The key to clean with and its fingerprint, checked against every cleaned round's.

    Parameters
    ----------
    ws : Workspace
    rekey : bool, default False
        Accept a new key: every round is about to be cleaned again with it.
    check : bool, default True
        Compare fingerprints (False: only read the key, as validation does).

    Returns
    -------
    (bytes, str)
        The key (`load_key`) and its `key_fingerprint`.

    Raises
    ------
    KeyMismatchError
        When the key is not the one cleaned rounds were made with, or the key file is
        missing while cleaned rounds carry a fingerprint (a new key would be made): the
        message names the rounds and says how to restore the key or rekey.
    KeyUnavailableError, WeakKeyError
        As `load_key`.
    """
    cleaned = cleaned_fingerprints(ws)
    path = key_file_path(ws.data_dir, ws.key_file)
    if ws.key is None and cleaned and not rekey and not path.exists():
        raise KeyMismatchError(
            f"the key file {path} is missing, but rounds {', '.join(sorted(cleaned))} were cleaned with a "
            f"key: restore the key file from your backup (or set {KEY_ENV}), or run `exchange-eval clean "
            "--rekey` to clean every round again with a new key (every pid changes)", sorted(cleaned))
    key = load_key(ws.data_dir, key=ws.key, key_file=ws.key_file)
    fingerprint = key_fingerprint(key)
    others = sorted(r for r, f in cleaned.items() if f != fingerprint)
    if check and others and not rekey:
        where = KEY_ENV if ws.key is not None else f"the key file {path}"
        raise KeyMismatchError(
            f"the pseudonymisation key ({where}) is not the one rounds {', '.join(others)} were cleaned with, "
            "so their pids would not match new ones: restore the previous key, or run `exchange-eval clean "
            "--rekey` (or `build --rekey`) to clean every round again with this key (every pid changes)", others)
    return key, fingerprint
