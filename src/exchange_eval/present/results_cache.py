"""Results computed once and shared by the reports of a build.

A round's results (`round_report.RoundResults`: every section's tables and the judged
framework) do not depend on the report's language, only on the round's processed data,
the configuration and the code. ``build`` therefore asks each notebook to keep them in
``data/interim/results/``: the round's report in its own language computes them, its
other languages and the synthesis read them. A notebook run by hand (without the
``results_cache`` parameter) computes everything itself.

An entry's name carries a digest of what its results depend on: the build's fingerprint
of the code and configuration (``salt``), the round's ``data_hash`` and the kind of
results. A changed round, setting or module therefore never reads an old entry; the
entries of a round that no longer match are removed when a new one is written.

Entries are pickles, which can run code when read, so each is signed with HMAC-SHA256
under a key derived from the pseudonymisation key (`exchange_eval.clean.keys.load_key`),
which never leaves the data folder's owner. A file that does not carry a valid signature
(written by someone else, altered, truncated) is never unpickled: it is computed again.

References
----------
Krawczyk, H., Bellare, M. & Canetti, R. (1997). HMAC: keyed-hashing for message
authentication. RFC 2104.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..clean.keys import key_file_path, load_key
from ..core.atomic import is_temp_name, write_bytes_atomic
from ..core.errors import ExchangeEvalError
from ..core.fingerprint import hash_json
from ..core.paths import Workspace

__all__ = ["ResultsCache", "results_cache", "shared_over_rounds", "CACHE_FORMAT"]

# bump when what an entry holds changes shape without the code fingerprint seeing it
CACHE_FORMAT = 1
_DERIVATION = b"exchange-eval results cache v1"
_TAG_BYTES = hashlib.sha256().digest_size

T = TypeVar("T")
log = logging.getLogger(__name__)


class ResultsCache:
    """Signed pickles in ``folder``, named ``<name>.<digest>.pickle``.

    Parameters
    ----------
    folder : Path
        Where entries live (`Workspace.interim_dir` ``/ "results"`` for a build).
    salt : str
        What every entry depends on besides its own parts: the build's fingerprint of the
        code and configuration.
    secret : bytes
        The signing key (`results_cache` derives it from the pseudonymisation key).
    """

    def __init__(self, folder: Path, salt: str, secret: bytes) -> None:
        self.folder = Path(folder)
        self.salt = str(salt)
        self._secret = secret

    def __repr__(self) -> str:
        return f"ResultsCache({str(self.folder)!r})"

    def path(self, name: str, parts: dict[str, Any]) -> Path:
        """The file of the entry ``name`` computed from ``parts``."""
        digest = hash_json({"format": CACHE_FORMAT, "salt": self.salt, "name": name, "parts": parts})[:24]
        return self.folder / f"{name}.{digest}.pickle"

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def get(self, name: str, parts: dict[str, Any]) -> Any | None:
        """The entry, or None when there is none or it does not carry a valid signature."""
        path = self.path(name, parts)
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        tag, payload = blob[:_TAG_BYTES], blob[_TAG_BYTES:]
        if len(tag) < _TAG_BYTES or not hmac.compare_digest(tag, self._sign(payload)):
            # info, not warning: in a report's kernel a warning would print into the report
            log.info("ignoring %s: its signature does not match (computed again)", path)
            return None
        try:
            return pickle.loads(payload)  # noqa: S301 - signed by the key's owner, checked above
        except Exception:  # a library upgrade that cannot read an old entry: compute again
            return None

    def put(self, name: str, parts: dict[str, Any], value: Any) -> None:
        """Store ``value`` (atomically) and remove ``name``'s entries that no longer match.

        A cache that cannot be written (read-only or full folder) costs time, not the
        report: the failure is logged and ignored.
        """
        path = self.path(name, parts)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_bytes_atomic(path, self._sign(payload) + payload, mode=0o600)
        except OSError as exc:
            log.info("cannot keep results in %s (%s): they are computed for each report", path, exc)
            return
        for old in self.folder.glob(f"{name}.*.pickle"):
            if old != path and not is_temp_name(old.name):
                old.unlink(missing_ok=True)

    def get_or_compute(self, name: str, parts: dict[str, Any], compute: Callable[[], T]) -> T:
        """The entry ``name`` for ``parts``; computed by ``compute()`` and stored when missing."""
        found = self.get(name, parts)
        if found is not None:
            return found
        value = compute()
        self.put(name, parts, value)
        return value


def results_cache(ws: Workspace, salt: str | None) -> ResultsCache | None:
    """The build's results cache for ``ws`` (None without a ``salt``: a notebook run by
    hand; None too when the pseudonymisation key cannot be read, or has no file yet).

    The signing key is HMAC-SHA256 of a constant under the pseudonymisation key, so the
    key itself is never used for two purposes.
    """
    if not salt:
        return None
    if ws.key is None and not key_file_path(ws.data_dir, ws.key_file).is_file():
        return None  # never make a key here: the build made or checked it before any report
    try:
        key = load_key(ws.data_dir, key=ws.key, key_file=ws.key_file)
    except ExchangeEvalError:  # unreadable or weak: nothing is signed, so nothing is shared
        return None
    secret = hmac.new(key, _DERIVATION, hashlib.sha256).digest()
    return ResultsCache(ws.interim_dir / "results", salt, secret)


def shared_over_rounds(cache: ResultsCache | None, name: str, data: Sequence[Any], compute: Callable[[], T]) -> T:
    """``compute()``, or the entry ``name`` another report of the build computed over the
    same rounds (``data``: `RoundData`) with the same data: keyed by each round's
    ``data_hash``. Without a ``cache``, or without every round's hash, always computed."""
    hashes = {str(rd.round_id): str(rd.meta.get("data_hash") or "") for rd in data}
    if cache is None or not hashes or not all(hashes.values()):
        return compute()
    return cache.get_or_compute(name, {"rounds": hashes}, compute)
