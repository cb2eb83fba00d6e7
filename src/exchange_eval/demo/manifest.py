"""The ``round.yaml`` of a demo round: its plan, sessions and sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..core.paths import MANIFEST_NAME
from .model import RoundContext

__all__ = ["write_manifest"]


def write_manifest(folder: Path, ctx: RoundContext, sources: list[dict]) -> None:
    """Write ``round.yaml`` for the round of ``ctx`` with its ``sources``."""
    plan = ctx.plan
    manifest: dict[str, Any] = {
        "round": plan.round_id,
        "title": plan.title,
        "community": plan.community,
        "language": plan.language,
    }
    if plan.host:
        manifest["host"] = plan.host
    manifest["countries"] = list(plan.countries)
    if plan.comparison:
        manifest["comparison"] = list(plan.comparison)
    manifest["year"] = plan.year
    manifest["sessions"] = [
        {"id": s["id"], "kind": s["kind"], "date": s["date"], "title": s["title"]} for s in plan.sessions
    ]
    manifest["sources"] = sources
    manifest["notes"] = "Synthetic data written by exchange_eval.demo.generator; every person is fictitious."
    text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")
