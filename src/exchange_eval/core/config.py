"""Configuration and environment: the only module (besides the CLI) that reads either.

A user puts files of the same name in ``<data_dir>/config/`` to override the package
defaults (``settings.yaml`` is merged key by key; other files replace the default whole).
`Config` holds every file of one data folder, read once; it is passed down to the stages
that need it, so nothing below the CLI looks at the environment. `Environment` is the
process environment read once, by the CLI.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError
from .yaml_strict import load_strict

__all__ = [
    "CONFIG_DIR",
    "DATA_DIR_ENV",
    "REPORTS_DIR_ENV",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "Config",
    "Environment",
    "load_config",
    "read_package_config",
    "translation_languages",
]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
DATA_DIR_ENV = "EXCHANGE_EVAL_DATA"
REPORTS_DIR_ENV = "EXCHANGE_EVAL_REPORTS"
KEY_ENV = "EXCHANGE_EVAL_KEY"
KEY_FILE_ENV = "EXCHANGE_EVAL_KEY_FILE"
BUILD_IGNORE_CODE_ENV = "EXCHANGE_EVAL_BUILD_IGNORE_CODE"


# libyaml's parser (bundled with PyYAML wheels) reads the config files ~10x faster than the
# pure-Python one and builds the same objects; fall back when PyYAML was built without it
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, *, strict: bool = False) -> Any:
    """A YAML file; ``strict`` (a user's file) refuses anchors, aliases and duplicate keys."""
    try:
        with path.open(encoding="utf-8") as handle:
            text = handle.read()
        if strict:
            return load_strict(text)
        try:
            return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            # parse again with the pure-Python loader: its messages are the ones users see
            return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise DataError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path, row=row) from None


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@lru_cache(maxsize=64)
def _load(name: str, user_dir: str | None) -> Any:
    # the package's own file is parsed once, whatever data folder asks (never mutated:
    # load_config hands out copies)
    data = _load(name, None) if user_dir else _read_yaml(CONFIG_DIR / name)
    if user_dir:
        user_file = Path(user_dir) / name
        if user_file.is_file():
            user = _read_yaml(user_file, strict=True)
            if isinstance(data, dict) and isinstance(user, dict) and name == "settings.yaml":
                return _merge(data, user)
            return user
    return data


def load_config(name: str, data_dir: str | Path | None = None) -> Any:
    """Return the parsed YAML config file ``name`` (e.g. ``"settings.yaml"``).

    A copy under ``<data_dir>/config/`` takes precedence; without ``data_dir``, the
    package's own file is used (the environment is never consulted: a data folder's
    configuration travels as a `Config`). The result is a deep copy, so callers may
    modify it.
    """
    user_dir = str(Path(data_dir) / "config") if data_dir is not None else None
    return copy.deepcopy(_load(name, user_dir))


def read_package_config() -> list[str]:
    """Parse every configuration file of the package now; their names.

    They are the same for every data folder: a report kernel zygote
    (`exchange_eval.publish.kernel`) reads them once, and the kernels forked from it find
    them parsed (a data folder's own files are still read by each report).
    """
    names = sorted(p.name for p in CONFIG_DIR.glob("*.yaml"))
    for name in names:
        _load(name, None)
    return names


def translation_languages() -> list[str]:
    """The languages reports can be written in: those with a table in ``config/translations/``."""
    return sorted(p.stem for p in (CONFIG_DIR / "translations").glob("*.yaml"))


@dataclass(frozen=True)
class Environment:
    """What the process environment says, read once by the CLI and passed down.

    ``key`` is the pseudonymisation key's text (``EXCHANGE_EVAL_KEY``), ``key_file`` the
    file holding it (``EXCHANGE_EVAL_KEY_FILE``); ``data_dir`` / ``reports_dir`` are the
    folders used when no option names them; ``build_ignore_code``
    (``EXCHANGE_EVAL_BUILD_IGNORE_CODE=1``) leaves the package's code out of fingerprints.
    """

    data_dir: str | None = None
    reports_dir: str | None = None
    key: str | None = field(default=None, repr=False)
    key_file: str | None = None
    build_ignore_code: bool = False

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """The ``EXCHANGE_EVAL_*`` variables of ``environ`` (default: this process's)."""
        env = os.environ if environ is None else environ
        return cls(
            data_dir=env.get(DATA_DIR_ENV) or None,
            reports_dir=env.get(REPORTS_DIR_ENV) or None,
            key=env.get(KEY_ENV),
            key_file=env.get(KEY_FILE_ENV) or None,
            build_ignore_code=env.get(BUILD_IGNORE_CODE_ENV, "") not in ("", "0"),
        )


class Config:
    """Every configuration file of one data folder, each read at most once.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder whose ``config/`` overrides the package defaults; None gives the
        package defaults alone.

    Examples
    --------
    >>> cfg = Config()
    >>> cfg.min_cell_size
    3
    >>> [level["value"] for level in cfg.choices["agree5"]][:2]
    [1, 2]
    """

    def __init__(self, data_dir: str | Path | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else None

    def __repr__(self) -> str:
        return f"Config({str(self.data_dir) if self.data_dir else ''})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and other.data_dir == self.data_dir

    def __hash__(self) -> int:
        return hash(self.data_dir)

    def __getstate__(self) -> dict:
        return {"data_dir": self.data_dir}  # files are read again where it is unpickled

    def __setstate__(self, state: dict) -> None:
        self.data_dir = state["data_dir"]

    def file(self, name: str) -> Any:
        """The parsed file ``name`` (e.g. ``"themes.yaml"``), a copy the caller may change."""
        return load_config(name, self.data_dir)

    @cached_property
    def settings(self) -> dict:
        """Thresholds and rules (``settings.yaml``)."""
        return self.file("settings.yaml")

    @cached_property
    def choices(self) -> dict[str, list[dict]]:
        """Choice lists (``choices.yaml``): list name -> ordered levels with value and labels."""
        return self.file("choices.yaml")

    @cached_property
    def instruments(self) -> dict:
        """The standard questionnaires (``instruments.yaml``)."""
        return self.file("instruments.yaml")

    @cached_property
    def dimensions(self) -> dict:
        """JSR dimensions, criteria and the RF18 rule (``dimensions.yaml``)."""
        return self.file("dimensions.yaml")

    @cached_property
    def themes(self) -> dict:
        """Comment themes and their keywords (``themes.yaml``)."""
        return self.file("themes.yaml")

    @cached_property
    def verdicts(self) -> dict:
        """The rules that turn an estimate into a verdict, and the targets (``verdicts.yaml``)."""
        return self.file("verdicts.yaml") or {}

    @cached_property
    def missing_codes(self) -> dict:
        """Answers that mean "no answer" (``missing_codes.yaml``)."""
        return self.file("missing_codes.yaml") or {}

    @property
    def min_cell_size(self) -> int:
        """k: groups with fewer respondents are suppressed."""
        return int(self.settings["privacy"]["min_cell_size"])
