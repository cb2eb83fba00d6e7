"""Validate the statistics the reports print, by simulation (``make validate-stats``).

Measures, at the sample sizes of a real round (n = 12 and 30 pairs, 6–30 for the
tests), and writes the tables into ``docs/statistics.md`` between the markers
``<!-- validate-stats:begin -->`` and ``<!-- validate-stats:end -->``:

1. coverage of every interval the reports print: the Hodges–Lehmann shift of an
   outcome score (continuous and Likert data; zeros kept, as the reports do, and dropped,
   as R 4.0–4.5 does), the Wilson interval of the share rating higher, Newcombe's interval
   of higher − lower, the pooled mixed model across rounds, the ordinal model, and
   Feldt's interval of Cronbach's alpha;
2. the false-positive rate under the null, per item (the exact conditional test and R's
   rule) and per table (the ten questions of a learning table with Holm or BH over the
   table, the per-outcome Holm families used before, the outcome table with its primary
   outcome first), and of the DiD's randomization and wild-bootstrap p-values;
3. power per item for a one-point latent improvement;
4. the R reference values the tests check, with the numbers this package computes.

Usage: ``python scripts/simulate_stats.py [--reps 2000] [--seed 20251201] [--no-write]``.
Deterministic for a given seed; a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import math
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from exchange_eval.analysis.crossround import ordinal_item_model, pooled_change_model
from exchange_eval.analysis.did import panel_did
from exchange_eval.analysis.multiplicity import adjust_table, p_adjust
from exchange_eval.analysis.proportions import change_shares, newcombe_paired_interval
from exchange_eval.analysis.signedrank import hodges_lehmann, signed_rank_test
from exchange_eval.analysis.stats import cronbach_alpha, paired_change

DOCS = Path(__file__).resolve().parents[1] / "docs" / "statistics.md"
BEGIN, END = "<!-- validate-stats:begin -->", "<!-- validate-stats:end -->"
SIZES = (12, 30)
TOL_ROOT = 1e-4  # R's tol.root: normal-approximation interval ends are found to this accuracy


# --------------------------------------------------------------------------- data
def likert(rng: np.random.Generator, n: int, k: int, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Pre and post answers (n × k) on 1–5: person level + item noise, rounded, clipped."""
    person = rng.normal(3.0, 0.8, size=(n, 1))
    pre = np.clip(np.rint(person + rng.normal(0, 0.7, size=(n, k))), 1, 5)
    post = np.clip(np.rint(person + shift + rng.normal(0, 0.7, size=(n, k))), 1, 5)
    return pre, post


def pseudo_median(sample: np.ndarray, rng: np.random.Generator) -> float:
    """Population pseudo-median (median of (X1 + X2)/2) from a large sample."""
    a, b = rng.permutation(sample), rng.permutation(sample)
    return float(np.median((a + b) / 2))


def margin(p: float, reps: int) -> float:
    return 1.96 * math.sqrt(max(p * (1 - p), 1e-12) / reps)


def fmt(x: float, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"
    lines = ["| " + " | ".join(header) + " |", align]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def covers(lo: float, hi: float, truth: float, tol: float = 1e-9) -> bool:
    return bool(lo - tol <= truth <= hi + tol)


# --------------------------------------------------------------------------- 1. coverage
def coverage_shift(reps: int, seed: int) -> str:
    rows = []
    for n in SIZES:
        rng = np.random.default_rng([seed, 1, n])
        hits, widths = 0, []
        for _ in range(reps):
            d = 0.5 + rng.standard_t(5, size=n)  # symmetric continuous noise: the estimand is 0.5
            res = hodges_lehmann(d)
            hits += covers(res["ci_low"], res["ci_high"], 0.5)
            widths.append(res["ci_high"] - res["ci_low"])
        rows.append([f"continuous (t5), shift 0.5, n = {n}", "exact", fmt(hits / reps), fmt(margin(0.95, reps)),
                     fmt(float(np.median(widths)), 2)])
    for k, label in ((3, "outcome score, 3 questions"), (1, "single question")):
        for shift in (0.0, 0.5):
            rng_truth = np.random.default_rng([seed, 2, k, int(shift * 10)])
            pre, post = likert(rng_truth, 400_000, k, shift)
            truth = pseudo_median((post - pre).sum(axis=1), rng_truth) / k
            for n in SIZES:
                for zeros in ("keep", "drop"):
                    rng = np.random.default_rng([seed, 3, k, int(shift * 10), n])
                    hits = valid = 0
                    widths = []
                    for _ in range(reps):
                        p0, p1 = likert(rng, n, k, shift)
                        res = hodges_lehmann((p1 - p0).sum(axis=1), zeros=zeros)
                        if not np.isfinite(res["ci_low"]):
                            continue
                        valid += 1
                        hits += covers(res["ci_low"] / k, res["ci_high"] / k, truth, TOL_ROOT)
                        widths.append((res["ci_high"] - res["ci_low"]) / k)
                    rows.append([f"Likert {label}, latent shift {shift}, n = {n} (estimand {truth:g})",
                                 f"normal, zeros {zeros}", fmt(hits / max(valid, 1)), fmt(margin(0.95, reps)),
                                 fmt(float(np.median(widths)) if widths else math.nan, 2)])
    return table(["data", "interval (zeros)", "coverage", "MC ±", "median width"], rows)


def coverage_shares(reps: int, seed: int) -> str:
    rows = []
    for shift in (0.0, 0.5):
        rng_truth = np.random.default_rng([seed, 4, int(shift * 10)])
        pre, post = likert(rng_truth, 1_000_000, 1, shift)
        d = (post - pre)[:, 0]
        p_higher, p_lower = float((d > 0).mean()), float((d < 0).mean())
        for n in SIZES:
            rng = np.random.default_rng([seed, 5, int(shift * 10), n])
            wilson = newcombe = 0
            for _ in range(reps):
                p0, p1 = likert(rng, n, 1, shift)
                s = change_shares((p1 - p0)[:, 0])
                wilson += covers(s["share_improved_low"], s["share_improved_high"], p_higher)
                newcombe += covers(s["net_improved_low"], s["net_improved_high"], p_higher - p_lower)
            rows.append([f"latent shift {shift}, n = {n}", fmt(p_higher, 2), fmt(wilson / reps),
                         fmt(p_higher - p_lower, 2), fmt(newcombe / reps), fmt(margin(0.95, reps))])
    return table(["single question", "true share higher", "Wilson coverage", "true higher − lower",
                  "Newcombe coverage", "MC ±"], rows)


def _rounds_data(rng: np.random.Generator, n_rounds: int, per_round: int, shift: float) -> pd.DataFrame:
    rows = []
    for r in range(n_rounds):
        round_level = rng.normal(0, 0.3)
        pre, post = likert(rng, per_round, 3, shift)
        pre, post = np.clip(pre + np.rint(round_level), 1, 5), np.clip(post + np.rint(round_level), 1, 5)
        for i in range(per_round):
            for wave, answers in (("pre", pre[i]), ("post", post[i])):
                rows += [(f"r{r}", f"p{i}", "outcomes", wave, f"q{j}", "new_knowledge", float(a))
                         for j, a in enumerate(answers)]
    return pd.DataFrame(rows, columns=["round_id", "pid", "instrument", "wave", "item_id", "outcome", "value"])


def coverage_models(reps: int, seed: int) -> str:
    rows = []
    rng_truth = np.random.default_rng([seed, 6])
    pre, post = likert(rng_truth, 400_000, 3, 0.5)
    truth = float((post.mean(axis=1) - pre.mean(axis=1)).mean())
    for n_rounds, per_round in ((2, 8), (4, 8), (6, 6)):
        rng = np.random.default_rng([seed, 7, n_rounds])
        hits = done = 0
        models: dict[str, int] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(reps):
                row = pooled_change_model(_rounds_data(rng, n_rounds, per_round, 0.5)).iloc[0]
                if not np.isfinite(row["ci_low"]):
                    continue
                done += 1
                models[row["model"]] = models.get(row["model"], 0) + 1
                hits += covers(row["ci_low"], row["ci_high"], truth)
        rows.append([f"{n_rounds} rounds × {per_round} pairs", ", ".join(f"{m} ({c})" for m, c in models.items()),
                     fmt(hits / max(done, 1)), fmt(margin(0.95, reps))])
    # ordinal model: no person effect, so the population-averaged log-odds is the planted 1
    rng = np.random.default_rng([seed, 8])
    cuts = np.array([-1.5, 0.0, 1.5, 3.0])
    hits = done = 0
    n_people = 40
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(max(reps // 2, 50)):
            values = [1 + np.sum((beta + rng.logistic(size=n_people))[:, None] > cuts, axis=1) for beta in (0.0, 1.0)]
            r = pd.DataFrame({"pid": np.tile(np.arange(n_people), 2), "item_id": "q",
                              "wave": ["pre"] * n_people + ["post"] * n_people,
                              "value": np.concatenate(values).astype(float)})
            res = ordinal_item_model(r, "q")
            done += 1
            hits += covers(res["ci_low"], res["ci_high"], 1.0)
    rows.append([f"ordinal model, {n_people} people, log-odds 1", "ordered_logit (cluster-robust z)",
                 fmt(hits / done), fmt(margin(0.95, done))])
    return (f"True mean change of the score (3 questions, latent shift 0.5): {truth:.3f}.\n\n"
            + table(["pooled change", "model fitted (times)", "coverage", "MC ±"], rows))


def coverage_alpha(reps: int, seed: int) -> str:
    rows = []
    k, rho = 3, 0.5
    true_continuous = k * rho / (1 + (k - 1) * rho)
    rng_truth = np.random.default_rng([seed, 9])

    def draw(rng: np.random.Generator, n: int, likert_scale: bool) -> pd.DataFrame:
        common = rng.normal(size=(n, 1))
        items = np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.normal(size=(n, k))
        if likert_scale:
            items = np.clip(np.rint(3 + 1.2 * items), 1, 5)
        return pd.DataFrame(items)

    big = draw(rng_truth, 400_000, True).to_numpy()
    cov = np.cov(big, rowvar=False)
    true_likert = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    for likert_scale, truth in ((False, true_continuous), (True, true_likert)):
        for n in (20, 30):
            rng = np.random.default_rng([seed, 10, n, int(likert_scale)])
            hits = sum(covers((res := cronbach_alpha(draw(rng, n, likert_scale), min_n=n))["ci_low"],
                              res["ci_high"], truth) for _ in range(reps))
            rows.append([f"{'Likert 1–5' if likert_scale else 'normal'} items, n = {n}", fmt(truth),
                         fmt(hits / reps), fmt(margin(0.95, reps))])
    return table(["Cronbach's alpha, 3 items", "true alpha", "Feldt coverage", "MC ±"], rows)


# --------------------------------------------------------------------------- 2. false positives
def _p_exact(d: np.ndarray) -> float:
    return signed_rank_test(d)["p_value"]


def _p_r(d: np.ndarray) -> float:
    return signed_rank_test(d)["p_value_r"]


def fpr_items(reps: int, seed: int, shift: float = 0.0) -> str:
    rows = []
    for n in (6, 8, 12, 20, 30):
        rng = np.random.default_rng([seed, 11, n, int(shift * 10)])
        exact = r_rule = 0
        for _ in range(reps):
            pre, post = likert(rng, n, 1, shift)
            d = (post - pre)[:, 0]
            p_exact, p_r = _p_exact(d), _p_r(d)
            exact += bool(p_exact < 0.05)
            r_rule += bool(p_r < 0.05)
        rows.append([str(n), fmt(exact / reps), fmt(r_rule / reps)])
    return table(["n pairs", "exact conditional (reports)", "R's rule (wilcox.test default)"], rows)


def _table_pvalues(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One null learning table: 5 outcomes × 2 questions answered by the same people
    (person and outcome effects make the questions correlated, as in real tables)."""
    person = rng.normal(3.0, 0.8, size=(n, 1))
    outcome_level = np.repeat(rng.normal(0, 0.4, size=(n, 5)), 2, axis=1)
    pre = np.clip(np.rint(person + outcome_level + rng.normal(0, 0.7, size=(n, 10))), 1, 5)
    post = np.clip(np.rint(person + outcome_level + rng.normal(0, 0.7, size=(n, 10))), 1, 5)
    d = post - pre
    items = np.array([_p_exact(d[:, j]) for j in range(10)])
    outcomes = np.array([_p_exact(d[:, 2 * o] + d[:, 2 * o + 1]) for o in range(5)])
    return items, outcomes


def fpr_tables(reps: int, seed: int) -> str:
    rows = []
    for n in SIZES:
        rng = np.random.default_rng([seed, 12, n])
        hits = {"none": 0, "families": 0, "holm": 0, "BH": 0, "gate": 0}
        for _ in range(reps):
            items, outcomes = _table_pvalues(rng, n)
            hits["none"] += bool((items < 0.05).any())
            per_family = np.concatenate([p_adjust(items[2 * o:2 * o + 2], "holm") for o in range(5)])
            hits["families"] += bool((per_family < 0.05).any())
            hits["holm"] += bool((p_adjust(items, "holm") < 0.05).any())
            hits["BH"] += bool((p_adjust(items, "BH") < 0.05).any())
            frame = pd.DataFrame({"outcome": list("abcde"), "p_value": outcomes})
            gated = adjust_table(frame, family="outcomes", key="outcome", primary="a")
            hits["gate"] += bool((gated["p_adjusted"] < 0.05).any())
        rows.append([str(n)] + [fmt(hits[key] / reps) for key in ("none", "families", "holm", "BH", "gate")])
    return table(["n pairs", "questions, unadjusted", "questions, Holm per outcome (before)",
                  "questions, Holm over the table", "questions, BH over the table",
                  "outcomes, primary first + Holm"], rows)


def fpr_did(reps: int, seed: int) -> str:
    rng = np.random.default_rng([seed, 13])
    countries = [f"C{i}" for i in range(9)]
    years = list(range(2020, 2026))
    ri = wcb = 0
    for _ in range(reps):
        effects = {c: rng.normal(0, 1) for c in countries}
        trend = {y: rng.normal(0, 0.5) for y in years}
        panel = pd.DataFrame([{"country": c, "year": y, "y": effects[c] + trend[y] + rng.normal(0, 0.7)}
                              for c in countries for y in years])
        res = panel_did(panel, outcome="y", treated=countries[:4], post=panel["year"] >= 2024,
                        wcb_draws=999, seed=int(rng.integers(1 << 30)))
        ri += bool(res["p_value_ri"] < 0.05)
        wcb += bool(res["p_value_wcb"] < 0.05)
    return table(["DiD, 4 of 9 countries, 6 years, no effect", "randomization p (exact)",
                  "wild cluster bootstrap p (Webb)"],
                 [[f"{reps} panels", fmt(ri / reps), fmt(wcb / reps)]])


# --------------------------------------------------------------------------- 4. references
def references() -> str:
    hw_x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
    hw_y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
    hw = paired_change(hw_y, hw_x)
    cv = [-2] + [-1] * 13 + [0] * 16 + [1] * 2
    cv_test, cv_hl = signed_rank_test(cv), hodges_lehmann(cv, zeros="drop")
    akinshin = hodges_lehmann([0, 1, 2], zeros="drop")
    newcombe = newcombe_paired_interval(59, 6, 16, 80)
    pre, post = np.array([4, 5, 5, 2, 5.0]), np.array([7, 7, 8, 5, 6.0])
    sums = paired_change(pre, post)
    rows = [
        ["`wilcox.test(x, y, paired = TRUE, conf.int = TRUE)`, Hollander & Wolfe depression data (R's ?wilcox.test)",
         "V = 40, p = 0.03906; (pseudo)median and interval: the Walsh averages",
         f"V = {hw['statistic']:.0f}, p = {hw['p_value']:.5f}, {hw['estimate']:.3f} ({hw['ci_low']:.3f} to "
         f"{hw['ci_high']:.3f})"],
        ["`wilcox.test(diffs, conf.int = TRUE)`, 16 zeros and ties (R 4.x output on stats.stackexchange.com/q/446802)",
         "V = 16, p = 0.00314; CI -1.0000148 -0.9999398; (pseudo)median -0.9999517",
         f"V = {cv_test['statistic']:.0f}, p = {cv_test['p_value_r']:.5f}; CI {cv_hl['ci_low']:.7f} "
         f"{cv_hl['ci_high']:.7f}; {cv_hl['estimate']:.7f} (`zeros=\"drop\"`)"],
        ["`wilcox.test(c(0, 1, 2), conf.int = TRUE)$estimate` (Akinshin 2023)",
         "1.5, \"requested conf.level not achievable\"", f"{akinshin['estimate']:.4f}, {akinshin['warnings'][0]!r}"],
        ["Newcombe paired interval, Cavo et al. table (Fagerland et al. 2017, ch. 8)",
         "-0.0621 (-0.1186 to -0.0046)", f"{newcombe[0]:.4f} ({newcombe[1]:.4f} to {newcombe[2]:.4f})"],
        ["`wilcox.test(c(7,7,8,5,6), c(4,5,5,2,5), paired = TRUE)` — an outcome's sums of 2 questions",
         "V = 15, p (R's default, normal with ties) as printed here",
         f"V = {sums['statistic']:.0f}, p = {sums['p_value_r']:.5f}; exact conditional p = {sums['p_value']:.5f} "
         f"(`coin::wilcoxsign_test(..., zero.method = \"Wilcoxon\", distribution = \"exact\")`)"],
    ]
    return table(["R call (reference)", "published / R value", "this package"], rows, "|---|---|---|")


# --------------------------------------------------------------------------- main
def sections(reps: int, seed: int) -> list[tuple[str, Callable[[], str]]]:
    return [
        ("Coverage of the Hodges–Lehmann shift interval (outcome scores; the reports keep zero changes)",
         lambda: coverage_shift(reps, seed)),
        ("Coverage of the share intervals of a single question (Wilson; Newcombe for higher − lower)",
         lambda: coverage_shares(reps, seed)),
        ("Coverage of the model intervals of the synthesis (t with n_pairs − 1 df; ordinal: cluster-robust z)",
         lambda: coverage_models(max(reps // 5, 60), seed)),
        ("Coverage of Feldt's interval of Cronbach's alpha (from n = 20)", lambda: coverage_alpha(reps, seed)),
        ("False-positive rate per question at alpha = 0.05 (no change)", lambda: fpr_items(reps, seed)),
        ("False-positive rate per table at alpha = 0.05 (no change anywhere): chance that the table shows any "
         "significant row", lambda: fpr_tables(reps, seed)),
        ("False-positive rate of the difference-in-differences (no effect)", lambda: fpr_did(max(reps // 5, 60), seed)),
        ("Power per question at alpha = 0.05, latent improvement of one scale point",
         lambda: fpr_items(reps, seed, shift=1.0)),
        ("R reference values (tests/analysis/test_signedrank.py, test_proportions.py, test_outcomes.py)", references),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update docs/statistics.md")
    args = parser.parse_args()
    start = time.time()
    parts = [f"Generated by `make validate-stats` (`scripts/simulate_stats.py --reps {args.reps} --seed "
             f"{args.seed}`). Monte Carlo 95 % margin of a rate near 0.05 with {args.reps} repetitions: "
             f"±{margin(0.05, args.reps):.3f}; near 0.95: ±{margin(0.95, args.reps):.3f} (the model rows use "
             f"fewer repetitions, their margin is given)."]
    for title, run in sections(args.reps, args.seed):
        t0 = time.time()
        body = run()
        parts.append(f"#### {title}\n\n{body}")
        print(f"#### {title} ({time.time() - t0:.0f} s)\n\n{body}\n", flush=True)
    parts.append(f"Run time {time.time() - start:.0f} s (two shared cores; timings are noisy).")
    block = "\n\n".join(parts)
    if not args.no_write:
        text = DOCS.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            raise SystemExit(f"{DOCS} lacks the markers {BEGIN} … {END}")
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: f"{BEGIN}\n{block}\n{END}", text,
                      flags=re.S)
        DOCS.write_text(text, encoding="utf-8")
        print(f"written to {DOCS}")


if __name__ == "__main__":
    main()
