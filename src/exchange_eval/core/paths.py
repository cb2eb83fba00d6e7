"""Where things live: one `Workspace` per project folder.

``data/raw/<round>/`` (immutable inputs), ``data/processed/<round>/`` (clean tables),
``reports/`` (outputs) and ``notebooks/`` (report templates). Every round folder is
reached through `Workspace.raw_round` / `processed_round`, which check the round id, so a
round id can never lead outside the data folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .config import Config, Environment
from .errors import ManifestError, UsageError

__all__ = ["Workspace", "PACKAGE_DIR", "PACKAGE_NOTEBOOKS", "MANIFEST_NAME", "ROUND_ID_PATTERN", "check_round_id"]

MANIFEST_NAME = "round.yaml"
# \Z, not $: "$" also matches before a final newline, and "r1\n" would make a folder
ROUND_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# the report notebooks ship inside the package (the repository's notebooks/ links here)
PACKAGE_NOTEBOOKS = PACKAGE_DIR / "notebooks"


@dataclass(frozen=True)
class Workspace:
    data_dir: Path
    reports_dir: Path
    notebooks_dir: Path = PACKAGE_NOTEBOOKS

    key: str | None = field(default=None, repr=False, compare=False)
    key_file: Path | None = None
    # False leaves the package's *.py out of input fingerprints (benchmarks in an edited tree)
    fingerprint_code: bool = True

    @classmethod
    def from_options(
        cls,
        data_dir: str | Path | None = None,
        reports_dir: str | Path | None = None,
        notebooks_dir: str | Path | None = None,
        *,
        environment: Environment | None = None,
    ) -> Workspace:
        """Folders from options, else from ``environment`` (the CLI reads it), else ./data and ./reports.

        The pseudonymisation key settings (``EXCHANGE_EVAL_KEY``, ``EXCHANGE_EVAL_KEY_FILE``)
        travel with the workspace, so cleaning in a worker process uses the same key.
        """
        env = environment or Environment()
        data = Path(data_dir or env.data_dir or "data")
        reports = Path(reports_dir or env.reports_dir or "reports")
        notebooks = Path(notebooks_dir) if notebooks_dir else PACKAGE_NOTEBOOKS
        return cls(
            data.resolve(),
            reports.resolve(),
            notebooks.resolve(),
            key=env.key,
            key_file=Path(env.key_file) if env.key_file else None,
            fingerprint_code=not env.build_ignore_code,
        )

    @cached_property
    def config(self) -> Config:
        """The configuration of this data folder (package defaults + ``data/config/``)."""
        return Config(self.data_dir)

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"

    @property
    def config_dir(self) -> Path:
        return self.data_dir / "config"

    @property
    def interim_dir(self) -> Path:
        """Results kept between the reports of a build (`exchange_eval.present.results_cache`)."""
        return self.data_dir / "interim"

    def raw_round(self, round_id: str) -> Path:
        check_round_id(round_id)
        return self.raw_dir / round_id

    def processed_round(self, round_id: str) -> Path:
        check_round_id(round_id)
        return self.processed_dir / round_id

    def report_dir(self, name: str) -> Path:
        check_round_id(name)
        return self.reports_dir / name

    def round_ids(self) -> list[str]:
        """Every folder of data/raw holding a round.yaml, sorted."""
        if not self.raw_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.raw_dir.iterdir() if p.is_dir() and (p / MANIFEST_NAME).is_file()
        )

    def require_round(self, round_id: str) -> Path:
        folder = self.raw_round(round_id)
        if not folder.is_dir():
            known = ", ".join(self.round_ids()) or "none"
            raise UsageError(f"no round {round_id!r} in {self.raw_dir} (rounds found: {known})")
        return folder


def check_round_id(round_id: str, *, file: str | Path | None = None) -> str:
    """Return ``round_id`` if it is a safe round id, else raise `ManifestError`."""
    if not isinstance(round_id, str) or not ROUND_ID_PATTERN.match(round_id):
        raise ManifestError(
            f"round id {round_id!r} is not allowed: use lower-case letters, digits, '-' and "
            "'_', starting with a letter or digit, at most 64 characters",
            file=file,
            column="round",
        )
    return round_id
