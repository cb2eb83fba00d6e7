"""Load configuration files: the package defaults, overlaid by a user's copies.

A user puts files of the same name in ``<data_dir>/config/`` to override the defaults
(settings are merged key by key; other files replace the default whole).
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError

__all__ = ["CONFIG_DIR", "DATA_DIR_ENV", "load_config", "settings", "choice_lists", "instruments", "dimensions"]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
# the data folder in use when a caller names none (report kernels get it from report.py)
DATA_DIR_ENV = "EXCHANGE_EVAL_DATA"


# libyaml's parser (bundled with PyYAML wheels) reads the config files ~10x faster than the
# pure-Python one and builds the same objects; fall back when PyYAML was built without it
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            text = handle.read()
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
    data = _read_yaml(CONFIG_DIR / name)
    if user_dir:
        user_file = Path(user_dir) / name
        if user_file.is_file():
            user = _read_yaml(user_file)
            if isinstance(data, dict) and isinstance(user, dict) and name == "settings.yaml":
                return _merge(data, user)
            return user
    return data


def load_config(name: str, data_dir: str | Path | None = None) -> Any:
    """Return the parsed YAML config file ``name`` (e.g. ``"settings.yaml"``).

    A copy under ``<data_dir>/config/`` takes precedence; without ``data_dir``, the folder
    named by ``EXCHANGE_EVAL_DATA`` (if set) is used. The result is a deep copy, so callers
    may modify it.
    """
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    user_dir = str(Path(data_dir) / "config") if data_dir is not None else None
    return copy.deepcopy(_load(name, user_dir))


def settings(data_dir: str | Path | None = None) -> dict:
    """Thresholds and rules (``settings.yaml``)."""
    return load_config("settings.yaml", data_dir)


def choice_lists(data_dir: str | Path | None = None) -> dict[str, list[dict]]:
    """Choice lists (``choices.yaml``): list name -> ordered levels with value and labels."""
    return load_config("choices.yaml", data_dir)


def instruments(data_dir: str | Path | None = None) -> dict:
    """The standard questionnaires (``instruments.yaml``)."""
    return load_config("instruments.yaml", data_dir)


def dimensions(data_dir: str | Path | None = None) -> dict:
    """JSR dimensions, criteria and the RF18 rule (``dimensions.yaml``)."""
    return load_config("dimensions.yaml", data_dir)
