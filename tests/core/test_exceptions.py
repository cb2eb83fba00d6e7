"""Every exception of the package pickles and unpickles to an equal one.

A parallel build sends exceptions from worker processes back to the parent, so each one
must survive pickle with its message and attributes (papermill's test_exceptions does
the same). The classes are found by walking the package, so a new exception is covered
without touching this file — unless its constructor needs arguments, then it is listed
in SAMPLES.
"""

from __future__ import annotations

import importlib
import pickle
import pkgutil

import pytest

import exchange_eval
from exchange_eval.core.errors import (
    DataError,
    DataErrors,
    ExchangeEvalError,
    ManifestError,
    Problem,
    ProblemCode,
    ReportError,
)


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def _exception_classes() -> list[type[ExchangeEvalError]]:
    for module in pkgutil.walk_packages(exchange_eval.__path__, prefix="exchange_eval."):
        if not module.name.endswith("__main__"):  # importing it would run the command line
            importlib.import_module(module.name)
    classes = {ExchangeEvalError, *_all_subclasses(ExchangeEvalError)}
    return sorted((c for c in classes if c.__module__.startswith("exchange_eval.")),
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


PROBLEM = Problem("kobo_post.csv", "unknown answer 'Tres bien'", 14, "Q7_satisf", "error",
                  ProblemCode.UNKNOWN_CHOICE)
# constructors that take more than a message
SAMPLES = {
    DataError: lambda: DataError("unknown answer", file="kobo_post.csv", row=14, column="Q7",
                                 code=ProblemCode.UNKNOWN_CHOICE),
    ManifestError: lambda: ManifestError("unknown key 'instrumnet'", file="round.yaml", row=7, column="instrumnet"),
    DataErrors: lambda: DataErrors([PROBLEM, Problem("round.yaml", "no sources", severity="warning")]),
    ReportError: lambda: ReportError("the notebook failed", notebook="round_report.ipynb", cell=12,
                                     ename="KeyError", evalue="'pid'"),
}


def test_the_walk_finds_the_exceptions_of_every_layer():
    names = {c.__name__ for c in _exception_classes()}
    assert {"ExchangeEvalError", "DataError", "DataErrors", "ManifestError", "UsageError", "ReportError",
            "KeyUnavailableError", "AtomicWriteError", "AnalysisError"} <= names


@pytest.mark.parametrize("cls", _exception_classes(), ids=lambda c: c.__name__)
def test_every_exception_pickles_with_its_message_and_attributes(cls):
    if cls in SAMPLES:
        error = SAMPLES[cls]()
    else:
        try:
            error = cls("something went wrong")
        except TypeError:  # pragma: no cover - a new constructor: list it in SAMPLES
            pytest.fail(f"{cls.__name__} needs a sample in SAMPLES")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)
    assert copy.exit_code == error.exit_code


def test_report_error_keeps_its_context_through_pickle():
    error = pickle.loads(pickle.dumps(SAMPLES[ReportError]()))
    assert (error.notebook, error.cell, error.ename, error.evalue) == ("round_report.ipynb", 12, "KeyError", "'pid'")
    assert str(error) == "round_report.ipynb: cell 12: the notebook failed (KeyError: 'pid')"


def test_data_error_keeps_its_located_problem_and_code():
    error = pickle.loads(pickle.dumps(SAMPLES[DataError]()))
    assert error.problem == Problem("kobo_post.csv", "unknown answer", 14, "Q7", "error", ProblemCode.UNKNOWN_CHOICE)
    assert error.problems == [error.problem]
    assert str(error) == "kobo_post.csv:14:Q7: unknown answer"


def test_problem_codes_are_strings_and_default_to_other():
    assert Problem("f.csv", "m").code is ProblemCode.OTHER
    assert Problem("f.csv", "m", code="unknown_choice").code is ProblemCode.UNKNOWN_CHOICE
    assert ProblemCode.SCHEMA == "schema"
    assert ManifestError("bad").problem.code is ProblemCode.MANIFEST
    with pytest.raises(ValueError):
        Problem("f.csv", "m", code="no_such_code")
