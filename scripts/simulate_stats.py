"""Monte Carlo check of `paired_change` at the sample sizes of a real exchange round.

Prints Markdown tables (pasted into docs/statistics.md):

1. false-positive rate at alpha = 0.05 under the null, discrete 1–5 Likert answers with a
   person effect (the realistic case: heavy ties and zero differences), for our test (R's
   wilcox.test rule) next to the sign-flip permutation test of the same statistic given
   the ties (exact up to 14 non-zero differences, which is what scipy's
   ``method="auto"`` runs for n <= 13 with ties or zeros);
2. power for a one-point latent improvement;
3. coverage of the seeded percentile-bootstrap 95 % CI of the median change, for a
   continuous shift (t5 noise) and for Likert data (true median from a 10^6 draw).

Usage: ``.venv/bin/python scripts/simulate_stats.py [--reps 2000] [--n-boot 2000]``.
Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import itertools
import time
from functools import lru_cache

import numpy as np
from scipy import stats as sps

from exchange_eval.analysis.stats import paired_change

SIZES = (6, 8, 10, 15, 20, 30)


def likert_pair(rng: np.random.Generator, n: int, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Pre and post answers on 1–5: person level + item noise, rounded and clipped."""
    person = rng.normal(3.0, 0.8, size=n)
    pre = np.clip(np.rint(person + rng.normal(0, 0.7, size=n)), 1, 5)
    post = np.clip(np.rint(person + shift + rng.normal(0, 0.7, size=n)), 1, 5)
    return pre, post


@lru_cache(maxsize=16)
def all_sign_flips(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=bool)


def sign_flip_p(d: np.ndarray, rng: np.random.Generator, draws: int = 20_000) -> float:
    """Two-sided permutation p-value of the signed-rank statistic given the ties.

    Exact (all 2^n sign flips) up to 14 non-zero differences, else `draws` random flips.
    """
    d = d[d != 0]
    n = d.size
    if n == 0:
        return 1.0
    ranks = sps.rankdata(np.abs(d))
    observed = abs(ranks[d > 0].sum() - ranks.sum() / 2)
    signs = all_sign_flips(n) if n <= 14 else rng.integers(0, 2, size=(draws, n)).astype(bool)
    null = np.abs((signs * ranks).sum(axis=1) - ranks.sum() / 2)
    return float(np.mean(null >= observed - 1e-9))


def rejection_rates(reps: int, seed: int, shift: float) -> dict[int, tuple[float, float]]:
    rates = {}
    for n in SIZES:
        rng = np.random.default_rng([seed, n, int(shift * 10)])
        ours = flips = 0
        for _ in range(reps):
            pre, post = likert_pair(rng, n, shift)
            p = paired_change(pre, post, n_boot=1)["p_value"]
            ours += bool(p < 0.05)  # NaN (all zero) counts as no rejection
            d = post - pre
            flips += bool(sign_flip_p(d, rng) < 0.05)
        rates[n] = (ours / reps, flips / reps)
    return rates


def coverage(reps: int, seed: int, n_boot: int) -> dict[int, tuple[float, float, float]]:
    rng_truth = np.random.default_rng([seed, 999])
    big_pre, big_post = likert_pair(rng_truth, 1_000_000, 1.0)
    likert_truth = float(np.median(big_post - big_pre))
    out = {}
    for n in SIZES:
        rng = np.random.default_rng([seed, n, 7])
        cont = lik = 0
        widths = []
        for i in range(reps):
            pre = rng.normal(3, 1, size=n)
            post = pre + 0.5 + rng.standard_t(5, size=n)
            res = paired_change(pre, post, n_boot=n_boot, seed=i, min_pairs=1)
            cont += bool(res["ci_low"] <= 0.5 <= res["ci_high"])
            pre, post = likert_pair(rng, n, 1.0)
            res = paired_change(pre, post, n_boot=n_boot, seed=i, min_pairs=1)
            lik += bool(res["ci_low"] <= likert_truth <= res["ci_high"])
            widths.append(res["ci_high"] - res["ci_low"])
        out[n] = (cont / reps, lik / reps, float(np.median(widths)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20251125)
    args = parser.parse_args()
    start = time.time()
    margin = 1.96 * np.sqrt(0.05 * 0.95 / args.reps)

    print(
        f"reps = {args.reps}, n_boot = {args.n_boot}, seed = {args.seed}; "
        f"Monte Carlo 95 % margin at 5 %: ±{margin:.3f}\n"
    )
    print("Table 1. False-positive rate at alpha = 0.05 (null: no change), Likert 1–5\n")
    print("| n pairs | paired_change (R rule) | sign-flip permutation |")
    print("|---:|---:|---:|")
    for n, (ours, flips) in rejection_rates(args.reps, args.seed, 0.0).items():
        print(f"| {n} | {ours:.3f} | {flips:.3f} |")

    print("\nTable 2. Power at alpha = 0.05, latent improvement of one scale point\n")
    print("| n pairs | paired_change (R rule) | sign-flip permutation |")
    print("|---:|---:|---:|")
    for n, (ours, flips) in rejection_rates(args.reps, args.seed, 1.0).items():
        print(f"| {n} | {ours:.3f} | {flips:.3f} |")

    print("\nTable 3. Coverage of the 95 % percentile-bootstrap CI of the median change\n")
    print(
        "| n pairs | continuous (shift 0.5, t5 noise) | Likert 1–5 (shift 1) "
        "| median CI width, Likert |"
    )
    print("|---:|---:|---:|---:|")
    for n, (cont, lik, width) in coverage(args.reps, args.seed, args.n_boot).items():
        print(f"| {n} | {cont:.3f} | {lik:.3f} | {width:.2f} |")
    print(f"\n(run time {time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
