"""Synthetic rounds with known, planted effects (see `data/demo_truth.json`)."""

from .generator import TRUTH_NAME, demo_round_ids, write_demo

__all__ = ["TRUTH_NAME", "demo_round_ids", "write_demo"]
