"""Locale formatting of numbers, percentages, p-values, dates and intervals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from exchange_eval.present import fmt

NBSP = "\u00a0"
NNBSP = "\u202f"


def test_number_and_integer() -> None:
    assert fmt.number(1234.56, "en", 1) == "1,234.6"
    assert fmt.number(1234.56, "fr", 1) == f"1{NNBSP}234,6"
    assert fmt.number(0.5, "fr", 2) == "0,50"
    assert fmt.number(-0.01, "en", 1) == "0.0"  # no "-0.0"
    assert fmt.integer(12345, "fr") == f"12{NNBSP}345"
    assert fmt.integer(9.6, "en") == "10"
    assert fmt.signed(1.0, "en") == "+1.0"
    assert fmt.signed(-0.5, "fr") == "-0,5"


def test_percent() -> None:
    assert fmt.percent(0.125, "en", 1) == "12.5%"
    assert fmt.percent(0.125, "fr", 1) == f"12,5{NBSP}%"
    assert fmt.percent(0.5, "fr") == f"50{NBSP}%"


def test_pvalue() -> None:
    assert fmt.pvalue(0.0004, "en") == f"<{NBSP}0.001"
    assert fmt.pvalue(0.0004, "fr") == f"<{NBSP}0,001"
    assert fmt.pvalue(0.0391, "fr") == "0,039"
    assert fmt.pvalue(1.0, "en") == f">{NBSP}0.999"


def test_p_equals_for_running_text() -> None:
    assert fmt.p_equals(0.004, "en") == f"={NBSP}0.004"
    assert fmt.p_equals(0.0001, "fr") == f"<{NBSP}0,001"
    assert fmt.p_equals(None, "fr") == "–"


def test_date() -> None:
    assert fmt.date(dt.date(2026, 11, 24), "fr") == "24 novembre 2026"
    assert fmt.date("2026-11-24", "en") == "24 November 2026"
    assert fmt.date(pd.Timestamp("2025-02-10 09:00"), "fr") == "10 février 2025"


def test_ci() -> None:
    assert fmt.ci(0.5, 1.5, "en") == "0.5 to 1.5"
    assert fmt.ci(-0.5, 1.5, "fr") == "-0,5 à 1,5"


def test_missing_values_are_a_dash() -> None:
    for value in (None, float("nan"), np.nan, pd.NA, pd.NaT):
        assert fmt.number(value, "en") == "–"
        assert fmt.percent(value, "fr") == "–"
        assert fmt.pvalue(value, "fr") == "–"
        assert fmt.date(value, "fr") == "–"
    assert fmt.ci(float("nan"), 1, "en") == "–"
