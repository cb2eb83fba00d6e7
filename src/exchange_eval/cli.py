"""The ``exchange-eval`` command line: parses arguments, calls the package, turns known
exceptions into ``file:row:column: message`` lines and exit codes (0 ok, 1 data problems,
2 usage). Nothing here computes; every command is a thin wrapper over a library call.

The environment is read here, once (`Environment.read`), and travels on the `Workspace`.
Each command imports the library it calls inside its function, on purpose: ``--help``
and the quick commands then start without pandas, papermill or nbconvert.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .core.config import Environment
from .core.errors import (
    DataErrors,
    ExchangeEvalError,
    ManifestError,
    Problem,
    ProblemCode,
    UsageError,
    cap_problems,
    os_error_message,
)
from .core.paths import Workspace, check_round_id

app = typer.Typer(
    help="Evaluate cross-country peer-learning exchanges: clean each round's exports, "
    "build round reports, a cross-round synthesis and a review of the feedback instruments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
codebook_app = typer.Typer(help="Work with codebooks (source column -> canonical item).", no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")

out = Console()
err = Console(stderr=True, soft_wrap=True, highlight=False)


class _State:
    data_dir: Path | None = None
    reports_dir: Path | None = None
    debug: bool = False


state = _State()


def workspace() -> Workspace:
    """The workspace of this invocation (--data-dir / --reports-dir, else the environment)."""
    return Workspace.from_options(state.data_dir, state.reports_dir, environment=Environment.read())


FORMAT_HELP = "Report formats: html, pdf, docx, comma-separated (default: settings reports.default_formats)."


def _check_formats(value: str | None) -> str | None:
    """``--format``: html, pdf, docx, ipynb or a comma-separated list, checked before the
    command runs; None (not given) means the setting ``reports.default_formats``."""
    from .publish.spec import check_formats  # on use: see the module docstring

    if value is None:
        return None
    try:
        check_formats(value)
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def _check_lang(value: str | None) -> str | None:
    """``--lang``: a language with a translation table, checked before the command runs."""
    from .publish.spec import check_language  # on use: see the module docstring

    try:
        return check_language(value)
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None


def print_problems(problems: list[Problem]) -> None:
    """Print each problem as ``file:row:column: message`` on stderr, without markup; a
    warning (the round is cleaned anyway) as ``file:row:column: warning: message``, so
    that errors (which stop it) stand apart. At most ``cleaning.max_problems_per_column``
    (settings) of one kind per column, then their count."""
    for problem in cap_problems(problems, _problems_per_column()):
        where, _, message = str(problem).partition(": ")
        text = str(problem) if problem.severity == "error" else f"{where}: warning: {message}"
        err.print(text, markup=False, highlight=False, soft_wrap=True)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def print_coverage(round_id: str, coverage: list) -> None:
    """One line per source on stdout: what its columns became (`Coverage.line`)."""
    for one in coverage:
        out.print(f"{round_id}: {one.line()}", markup=False, highlight=False, soft_wrap=True)


def _problems_per_column() -> int:
    try:
        return int(workspace().config.settings["cleaning"]["max_problems_per_column"])
    except (ExchangeEvalError, KeyError, TypeError, ValueError):  # a broken settings file: show them all
        return 0


def version_callback(value: bool) -> None:
    """``--version``: print the version and stop."""
    if value:
        out.print(f"exchange-eval {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder (raw/, processed/). Default: ./data or $EXCHANGE_EVAL_DATA.")] = None,
    reports_dir: Annotated[Path | None, typer.Option("--reports-dir", help="Reports folder. Default: ./reports or $EXCHANGE_EVAL_REPORTS.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback for unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    state.data_dir = data_dir
    state.reports_dir = reports_dir
    state.debug = debug


@app.command()
def demo(
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parallel report builds.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic data.")] = 0,
    rounds: Annotated[int, typer.Option(help="Number of synthetic rounds (at least 3: French JSR, English JSR, network).", min=3)] = 3,
    no_build: Annotated[bool, typer.Option("--no-build", help="Only write the synthetic rounds.")] = False,
    formats: Annotated[str | None, typer.Option("--format", callback=_check_formats, help=FORMAT_HELP)] = None,
) -> None:
    """Write synthetic rounds (with known effects) into the data folder, then build every report."""
    from .demo.generator import write_demo

    ws = workspace()
    written = write_demo(ws.data_dir, seed=seed, n_rounds=rounds)
    out.print(f"Wrote {len(written)} synthetic rounds to {ws.raw_dir}: {', '.join(written)}")
    out.print(f"True effects for tests: {ws.data_dir / 'demo_truth.json'}")
    if no_build:
        return
    _run_build(ws, jobs=jobs, force=False, formats=formats)


@app.command("new-round")
def new_round(
    round_id: Annotated[str, typer.Argument(help="Round id: lower-case letters, digits, '-' and '_'.")],
    language: Annotated[str, typer.Option(help="Language of the sources (en, fr).")] = "en",
) -> None:
    """Create data/raw/ROUND_ID with a commented round.yaml to fill in."""
    from .clean.newround import create_round

    path = create_round(workspace(), round_id, language=language)
    out.print(f"Created {path}. Put the exports beside it and list them under `sources:`.")


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="An export file (csv, xlsx, xls, ods, dta, sav).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    platform: Annotated[str | None, typer.Option(help="Force a platform instead of sniffing it.")] = None,
) -> None:
    """Tell what the reader sees in FILE: platform, encoding, delimiter, header rows, rows, columns."""
    from .clean.sources import check_source_size, source_size_limit
    from .ingest.inspect import inspect_file

    check_source_size(file, source_size_limit(workspace().config))
    info = inspect_file(file, platform=platform)
    if as_json:
        sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
        return
    for key in ("platform", "encoding", "delimiter", "header_rows", "n_rows", "n_columns"):
        out.print(f"[bold]{key}[/bold]: {info[key]!r}")
    table = Table("column", "type")
    for column in info["columns"]:
        table.add_row(str(column["name"]), str(column["type"]))
    out.print(table)


@app.command()
def validate(
    round_id: Annotated[str | None, typer.Argument(help="Round id (folder under data/raw).")] = None,
    all_rounds: Annotated[bool, typer.Option("--all", help="Validate every round.")] = False,
) -> None:
    """Check a round's manifest, sources and canonical tables: what each source's columns
    became (one line per source), then every problem as file:row:column: error|warning: message."""
    from .clean.pipeline import check_round

    ws = workspace()
    ids = _round_ids(ws, round_id, all_rounds)
    failed = False
    for rid in ids:
        coverage: list = []
        try:
            found = check_round(ws, rid)
            problems, coverage = found.problems, found.coverage
        except Exception as exc:  # one broken round must not stop the others
            problems = _round_failure(rid, exc)
        print_coverage(rid, coverage)
        errors = [p for p in problems if p.severity == "error"]
        print_problems(problems)
        n_warnings = len(problems) - len(errors)
        if errors:
            failed = True
            err.print(f"{rid}: {_plural(len(errors), 'problem')} to fix (errors), {_plural(n_warnings, 'warning')}",
                      style="red")
        else:
            out.print(f"{rid}: valid ({_plural(0, 'error')}, {_plural(n_warnings, 'warning')})")
    if failed:
        raise typer.Exit(1)


@app.command()
def clean(
    round_id: Annotated[str | None, typer.Argument(help="Round id (folder under data/raw).")] = None,
    all_rounds: Annotated[bool, typer.Option("--all", help="Clean every round.")] = False,
    rekey: Annotated[bool, typer.Option("--rekey", help="Clean every round again with the current key, after the key changed (every pid changes).")] = False,
) -> None:
    """Read, harmonize, validate and pseudonymize a round's exports into data/processed/ROUND."""
    from .clean.keys import round_key
    from .clean.pipeline import clean_round

    ws = workspace()
    ids = _round_ids(ws, round_id, all_rounds or rekey)
    round_key(ws, rekey=rekey)  # a changed or lost key is one error, not one per round
    failed = False
    for rid in ids:
        try:
            result = clean_round(ws, rid, rekey=rekey)
        except Exception as exc:  # one broken round must not stop the others
            failed = True
            print_problems(_round_failure(rid, exc))
            err.print(f"{rid}: not cleaned", style="red")
            continue
        print_coverage(rid, result.coverage)
        print_problems([p for p in result.warnings if p.code == "unmapped_column"])
        out.print(f"{rid}: {result.summary()}"
                  + (" (exchange-eval validate lists them)" if result.warnings else ""))
    if failed:
        raise typer.Exit(1)


@app.command()
def report(
    round_id: Annotated[str, typer.Argument(help="Round id.")],
    formats: Annotated[str | None, typer.Option("--format", callback=_check_formats, help=FORMAT_HELP)] = None,
    lang: Annotated[str | None, typer.Option(callback=_check_lang, help="Report language (default: the round's language).")] = None,
) -> None:
    """Build the round report (cleaning the round first if needed) as .ipynb, HTML and PDF."""
    from .build import build_one

    ws = workspace()
    _require_round(ws, round_id)
    for path in build_one(ws, "round", round_id, lang=lang, formats=_formats(ws, formats)):
        out.print(f"wrote {path}")


@app.command()
def synthesis(
    formats: Annotated[str | None, typer.Option("--format", callback=_check_formats, help=FORMAT_HELP)] = None,
    lang: Annotated[str, typer.Option(callback=_check_lang, help="Report language.")] = "en",
) -> None:
    """Build the cross-round synthesis report from every cleaned round."""
    from .build import build_one

    ws = workspace()
    for path in build_one(ws, "synthesis", lang=lang, formats=_formats(ws, formats)):
        out.print(f"wrote {path}")


@app.command()
def review(
    formats: Annotated[str | None, typer.Option("--format", callback=_check_formats, help=FORMAT_HELP)] = None,
    lang: Annotated[str, typer.Option(callback=_check_lang, help="Report language.")] = "en",
) -> None:
    """Build the review of the feedback instruments (response rates, nonresponse, reliability, …)."""
    from .build import build_one

    ws = workspace()
    for path in build_one(ws, "review", lang=lang, formats=_formats(ws, formats)):
        out.print(f"wrote {path}")


@app.command()
def build(
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Parallel processes (default: number of cores).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild everything, ignoring the build manifest.")] = False,
    formats: Annotated[str | None, typer.Option("--format", callback=_check_formats, help=FORMAT_HELP)] = None,
    lang: Annotated[str | None, typer.Option(callback=_check_lang, help="Build only this language (default: every language in settings reports.languages).")] = None,
    rekey: Annotated[bool, typer.Option("--rekey", help="Clean every round again with the current key, after the key changed (every pid changes).")] = False,
    round_id: Annotated[str | None, typer.Option("--round", help="Serve this round first: its own-language report, then its other languages, the synthesis and the review.")] = None,
) -> None:
    """Clean every round and build every report, in parallel, skipping what did not change."""
    ws = workspace()
    if round_id is not None:
        _require_round(ws, round_id)
    _run_build(ws, jobs=jobs, force=force, formats=formats, lang=lang, rekey=rekey, first=round_id)


@app.command()
def watch(
    round_id: Annotated[str, typer.Argument(help="Round id: its raw files are watched.")],
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Parallel processes (default: number of cores).")] = None,
    formats: Annotated[str | None, typer.Option("--format", callback=_check_formats, help=FORMAT_HELP)] = None,
) -> None:
    """Build, then rebuild each time the round's raw files change (its own-language report first); Ctrl-C ends."""
    from .build import watch as watch_round

    ws = workspace()
    _require_round(ws, round_id)
    watch_round(ws, round_id, jobs=jobs, formats=_formats(ws, formats))


def _formats(ws: Workspace, formats: str | None) -> str:
    """The formats asked for, else the data folder's ``reports.default_formats``."""
    from .publish.spec import default_formats  # on use: see the module docstring

    return formats if formats is not None else ",".join(default_formats(ws))


def _run_build(ws: Workspace, *, jobs: int | None, force: bool, formats: str | None, lang: str | None = None,
               rekey: bool = False, first: str | None = None) -> None:
    """`build_all`, then where the index is, or every failure and exit 1."""
    from .build import build_all

    result = build_all(ws, jobs=jobs, force=force, formats=_formats(ws, formats), lang=lang, rekey=rekey,
                       first=first)
    index = ws.reports_dir / "index.html"
    if index.exists():
        out.print(f"Reports: {index}")
    if not result.ok:
        for failure in result.failures:
            err.print(str(failure), markup=False, highlight=False)
        raise typer.Exit(1)


@codebook_app.command("template")
def codebook_template(
    round_id: Annotated[str, typer.Argument(help="Round id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write (default: data/templates/ROUND/codebook.xlsx, outside data/raw).")] = None,
) -> None:
    """Write a codebook pre-filled from a round's forms and exports: every column, what it maps to, its question text and choice lists."""
    from .clean.template import write_template

    ws = workspace()
    folder = _require_round(ws, round_id)
    path = write_template(ws, round_id, output=output)
    out.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)
    if not path.resolve().is_relative_to(folder.resolve()):
        out.print(f"Fill it in, then save it as {folder / 'codebook.xlsx'}: a codebook with that name is used "
                  "for every source that names no other.", markup=False, highlight=False, soft_wrap=True)


def _round_failure(round_id: str, exc: Exception) -> list[Problem]:
    """The problems of a round whose validation or cleaning raised, so the next round goes on.

    Errors of the package carry their problems; anything else is an internal error of
    this round (re-raised under ``--debug``, for its traceback).
    """
    if isinstance(exc, ExchangeEvalError):
        return getattr(exc, "problems", None) or [Problem(file=round_id, message=str(exc))]
    if isinstance(exc, OSError):
        return [Problem(file=exc.filename or round_id, message=f"cannot read or write: {exc.strerror or exc}",
                        code=ProblemCode.UNREADABLE)]
    if state.debug:
        raise exc
    return [Problem(file=round_id, message=f"internal error: {type(exc).__name__}: {exc} (run with --debug "
                    "for the traceback; please report it)")]


def _require_round(ws: Workspace, round_id: str) -> Path:
    """The raw folder of ``round_id``; a malformed id (``../x``) is a usage error (exit 2)."""
    try:
        check_round_id(round_id)
    except ManifestError as exc:
        raise UsageError(exc.problem.message) from None
    return ws.require_round(round_id)


def _round_ids(ws: Workspace, round_id: str | None, all_rounds: bool) -> list[str]:
    if all_rounds:
        ids = ws.round_ids()
        if not ids:
            raise UsageError(f"no rounds in {ws.raw_dir}")
        return ids
    if not round_id:
        raise UsageError("name a ROUND or pass --all")
    _require_round(ws, round_id)
    return [round_id]


def _is_click_exception(exc: BaseException) -> bool:
    """Typer may vendor click, so match by name rather than by import."""
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__) and hasattr(exc, "show")


def _interrupted() -> None:
    """Ctrl-C: one line, exit code 130, at once."""
    err.print("interrupted: outputs already written are intact")
    sys.stdout.flush()
    sys.stderr.flush()
    # not sys.exit: exit handlers would wait for the build's running workers, which stop
    # by themselves once this process is gone (exchange_eval.core.lifecycle)
    os._exit(130)


def main() -> None:
    """Console entry point: run the app, map exceptions to messages and exit codes."""
    try:
        # without standalone mode click returns the code of typer.Exit instead of raising it
        code = app(standalone_mode=False)
        if code == 130:  # typer turns Ctrl-C (KeyboardInterrupt) into exit code 130
            _interrupted()
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        _interrupted()
    except DataErrors as exc:
        print_problems(exc.problems)
        sys.exit(exc.exit_code)
    except ExchangeEvalError as exc:
        if state.debug:
            raise
        problems = getattr(exc, "problems", None)
        if problems:
            print_problems(problems)
        else:
            err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and anything unexpected
        if _is_click_exception(exc):
            exc.show()
            sys.exit(exc.exit_code)
        if state.debug:
            raise
        if isinstance(exc, OSError) and exc.filename:  # a read-only or full folder
            err.print(f"error: {os_error_message(exc)}", markup=False, highlight=False)
            sys.exit(1)
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback; please report it)",
            markup=False,
            highlight=False,
        )
        sys.exit(1)
