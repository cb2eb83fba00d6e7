"""Execute report notebooks, export them to HTML and PDF, and index what was built.

One entry point per job, as in papermill: `execute_notebook` (papermill, parameters
injected after the cell tagged ``parameters``), `export_html` (nbconvert's ``basic``
body inside our own page shell: no input cells, no prompts, nothing fetched from the
network), `export_pdf` (weasyprint, A4, page numbers). `build_round_report`,
`build_synthesis` and `build_review` chain the three; `write_index` lists what exists on
disk. Every failure is a `ReportError` naming the notebook, the cell and the error.

Outputs are swapped in only when every step succeeded, so a failing build leaves the
previous good ``.ipynb``/``.html``/``.pdf`` in place. Heavy libraries (papermill, nbconvert,
weasyprint) are imported inside the functions that need them, so that importing this
module — which the notebooks do, for `provenance` — stays cheap.

File names: a report in its default language is ``<stem>.{ipynb,html,pdf}`` (the round's
language from its manifest for a round report, English for the synthesis and the
review); another language adds the language code: ``<stem>.<lang>.html``. Next to each
report, ``<stem>[.<lang>].json`` records title, language, build date, data hash, formats
and provenance; `write_index` reads only these files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.atomic import write_text_atomic
from ..core.errors import DataError, ReportError
from ..core.paths import Workspace

__all__ = [
    "FORMATS",
    "ReportSpec",
    "execute_notebook",
    "export_html",
    "export_pdf",
    "external_resources",
    "provenance",
    "round_meta",
    "round_spec",
    "synthesis_spec",
    "review_spec",
    "build_report",
    "build_round_report",
    "build_synthesis",
    "build_review",
    "write_index",
    "report_stem",
]

FORMATS = ("html", "pdf")
KERNEL_NAME = "python3"
TEMPLATES_DIR = Path(__file__).parent / "templates"
ERROR_MARKER_TAG = "papermill-error-cell-tag"
INJECTED_TAG = "injected-parameters"
KERNEL_START_ATTEMPTS = 3

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- kernel


def _kernel_manager_class() -> type:
    """A kernel manager that always starts *this* interpreter's ipykernel.

    A ``python3`` kernelspec found first on the Jupyter path (for example in
    ``~/.local/share/jupyter/kernels``) may point to another Python without our package;
    the notebooks must run in the interpreter that runs the build (the project's venv,
    fresh after ``make install`` too), so the spec is pinned to ``sys.executable``.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class VenvKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            # Unix sockets instead of TCP ports: no port race between parallel builds and
            # no traffic on a network interface.
            # Each kernel gets its own socket folder: jupyter_client's default IPC name
            # is relative to the working directory, shared by parallel builds.
            self._ipc_dir: str | None = None
            if os.name == "posix" and "transport" not in kwargs:
                self._ipc_dir = tempfile.mkdtemp(prefix="exchange-eval-kernel-")
                kwargs["transport"] = "ipc"
                kwargs["ip"] = os.path.join(self._ipc_dir, "kernel")
            super().__init__(**kwargs)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

        cleanup_resources = _async_cleanup_resources

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # the kernel's own console chatter (shutdown notices) must not interleave with
            # the build's output; cell output travels over the kernel protocol anyway
            import subprocess

            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

        @property
        def kernel_spec(self) -> KernelSpec:  # type: ignore[override]
            if getattr(self, "_exchange_eval_spec", None) is None:
                self._exchange_eval_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    display_name="Python 3 (exchange-eval)",
                    language="python",
                    metadata={},
                )
            return self._exchange_eval_spec

    return VenvKernelManager


def _is_kernel_start_failure(exc: BaseException) -> bool:
    """True for errors raised while a kernel starts (port race, slow start), not by a cell."""
    name = type(exc).__name__
    if name in ("PapermillExecutionError", "CellTimeoutError", "CellExecutionError"):
        return False
    text = str(exc).lower()
    if name == "DeadKernelError":
        return "kernel_info" in text or "before" in text
    return isinstance(exc, RuntimeError | TimeoutError | OSError) or "zmq" in type(exc).__module__


# --------------------------------------------------------------------------- atomic files


def _temp_path(final: Path, suffix: str | None = None) -> Path:
    """A unique, hidden temporary name in ``final``'s folder (same file system: atomic replace)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{final.name}.", suffix=suffix or final.suffix or ".tmp", dir=final.parent
    )
    os.close(handle)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600; reports are for sharing
    return Path(name)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _discard(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- execute


def _code_cell_number(nb: Any, cell_index: int) -> int | None:
    """1-based number of the failing code cell as a user counts them in the template.

    Papermill's ``cell_index`` counts every cell of the parameterized notebook, which holds
    an injected parameters cell the template does not have; markdown cells are not
    counted either, because Jupyter shows numbers only for code cells.
    """
    cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    if not 0 <= cell_index < len(cells):
        return None
    number = 0
    for cell in cells[: cell_index + 1]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and INJECTED_TAG not in tags:
            number += 1
    return number if cells[cell_index].get("cell_type") == "code" else None


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def execute_notebook(
    template: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path | None = None,
    timeout: int = 600,
    failed_path: Path | None = None,
) -> Path:
    """Execute ``template`` with ``parameters`` and write the executed notebook to ``output``.

    Parameters
    ----------
    template : Path
        The report notebook, stored without outputs, with one cell tagged ``parameters``.
    output : Path
        Where the executed notebook goes; written atomically (a temporary name in the same
        folder, then ``os.replace``), so a failure never leaves a half-written file there.
    parameters : dict
        Injected by papermill in a new cell right after the ``parameters`` cell.
    cwd : Path, optional
        Working directory of the kernel (default: the template's folder).
    timeout : int
        Seconds allowed per cell.
    failed_path : Path, optional
        Where to keep the executed notebook of a failed run (default:
        ``<output stem>.failed.ipynb``); removed after a successful run.

    Returns
    -------
    Path
        ``output``.

    Raises
    ------
    ReportError
        When a cell fails (with the 1-based code-cell number of the template, the error
        name and value; the executed notebook with the traceback is kept next to
        ``output`` as ``<name>.failed.ipynb``), when the kernel cannot start, or when the
        template is missing.

    Notes
    -----
    The kernel is this interpreter's ipykernel (``sys.executable -m ipykernel_launcher``),
    whatever kernelspecs are installed elsewhere. Kernel start failures (e.g. a port taken
    by a parallel build between choice and bind) are retried up to three times.
    """
    template = Path(template)
    output = Path(output)
    if not template.is_file():
        raise ReportError("report notebook not found", notebook=template)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    failed_copy = Path(failed_path) if failed_path else output.with_name(output.stem + ".failed.ipynb")
    temp = _temp_path(output, ".ipynb")
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                papermill.execute_notebook(
                    str(template),
                    str(temp),
                    parameters=dict(parameters),
                    kernel_name=KERNEL_NAME,
                    language="python",
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    cwd=str(cwd or template.parent),
                    execution_timeout=timeout,
                    kernel_manager_class=_kernel_manager_class(),
                )
                break
            except PapermillExecutionError as exc:
                raise _cell_error(exc, template, temp, failed_copy) from None
            except Exception as exc:
                if attempt < KERNEL_START_ATTEMPTS and _is_kernel_start_failure(exc):
                    log.info("kernel start failed (%s), retrying", exc)
                    continue
                ename = type(exc).__name__
                if ename == "CellTimeoutError":
                    message = f"a cell ran longer than {timeout} s"
                else:
                    message = "execution failed"
                raise ReportError(
                    message, notebook=template, ename=ename, evalue=_first_line(str(exc))
                ) from None
        os.replace(temp, output)
        _discard([failed_copy])
    finally:
        _discard([temp])
    return output


def _cell_error(exc: Any, template: Path, temp: Path, failed_copy: Path) -> ReportError:
    """Turn papermill's execution error into a `ReportError`, keeping the failed notebook."""
    import nbformat

    cell = None
    kept = ""
    try:
        nb = nbformat.read(str(temp), as_version=4)
        cell = _code_cell_number(nb, exc.cell_index)
        os.replace(temp, failed_copy)
        kept = f"; executed notebook with the traceback: {failed_copy}"
    except (OSError, ValueError):
        pass
    shown = f"In [{exc.exec_count}]" if exc.exec_count is not None else "a cell"
    line = _first_line(exc.source or "")
    message = f"{shown} failed" + (f" at `{line}`" if line else "") + kept
    return ReportError(message, notebook=template, cell=cell, ename=exc.ename, evalue=exc.evalue)


# --------------------------------------------------------------------------- HTML


class _ResourceScanner(HTMLParser):
    """Collect URLs a browser would fetch by itself (not plain ``<a>`` links)."""

    FETCHING = {
        "script": ("src",),
        "link": ("href",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "input": ("src",),
        "track": ("src",),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    @staticmethod
    def _external(value: str) -> bool:
        value = value.strip().lower()
        return value.startswith(("http:", "https:", "//", "ftp:"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.FETCHING.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in wanted:
                candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.found.extend(f"<{tag} {name}={v}>" for v in candidates if self._external(v))
            elif name == "style":
                self._scan_css(value)
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._scan_css(data)

    def _scan_css(self, css: str) -> None:
        import re

        for match in re.finditer(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", css, re.I):
            url = match.group(1) or match.group(2)
            if self._external(url):
                self.found.append(f"css {url}")


def external_resources(html: str) -> list[str]:
    """Every URL in ``html`` that a browser or weasyprint would fetch from the network."""
    scanner = _ResourceScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _quiet_log(name: str) -> logging.Logger:
    """A logger that keeps only errors (nbconvert's accessibility hints are noise here)."""
    logger = logging.getLogger(f"{__name__}.{name}")
    logger.setLevel(logging.ERROR)
    return logger


def _page_env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )


def render_page(
    body: str,
    *,
    title: str,
    lang: str,
    running_header: str = "",
    meta: dict[str, str] | None = None,
) -> str:
    """Wrap an HTML ``body`` fragment in the report page shell (inline CSS, ``<html lang>``)."""
    import markupsafe

    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    template = _page_env().get_template("page.html.j2")
    return template.render(
        body=markupsafe.Markup(body),
        css=markupsafe.Markup(css),
        running_header=markupsafe.Markup(_css_string(running_header)),
        title=title,
        lang=lang,
        meta=meta or {},
        version=__version__,
    )


def export_html(
    nb_path: Path,
    html_path: Path,
    *,
    title: str,
    lang: str,
    running_header: str | None = None,
    meta: dict[str, str] | None = None,
) -> Path:
    """Export an executed notebook to a self-contained HTML page, written atomically.

    Input cells and prompts are left out; figures stay embedded as the notebook holds
    them (base64 PNG or inline SVG); cells tagged ``remove-cell`` are dropped and
    ``remove-output`` outputs hidden. The body comes from nbconvert's ``basic`` template
    (no require.js, no MathJax, no CDN fonts) inside ``templates/page.html.j2`` with the
    styles of ``templates/report.css`` inline.

    Raises
    ------
    ReportError
        When the notebook cannot be read or the page would fetch anything from the network
        (an output embedding a remote script, stylesheet or image).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    nb_path, html_path = Path(nb_path), Path(html_path)
    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except (OSError, ValueError) as exc:
        raise ReportError("cannot read the executed notebook", notebook=nb_path, ename=type(exc).__name__, evalue=str(exc)) from None
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell", INJECTED_TAG, "parameters"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output", "hide-output"}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        log=_quiet_log("nbconvert"),
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    body, _resources = exporter.from_notebook_node(nb)
    page = render_page(
        body,
        title=title,
        lang=lang,
        running_header=running_header if running_header is not None else title,
        meta=meta,
    )
    remote = external_resources(page)
    if remote:
        raise ReportError(
            "the report would fetch from the network when opened; embed these instead: "
            + ", ".join(remote[:5]),
            notebook=nb_path,
        )
    return write_text_atomic(html_path, page)


# --------------------------------------------------------------------------- PDF


def _offline_fetcher(url: str, *args: Any, **kwargs: Any) -> dict:
    """weasyprint URL fetcher that serves ``data:`` and local files and refuses the network."""
    import weasyprint

    if url.lower().startswith(("http:", "https:", "ftp:")):
        raise ValueError(f"network access refused for {url}")
    return weasyprint.default_url_fetcher(url, *args, **kwargs)


def _url_fetcher() -> Any:
    """An offline URL fetcher for weasyprint (class API since v68, function before)."""
    import weasyprint

    if hasattr(weasyprint, "URLFetcher"):
        return weasyprint.URLFetcher(allowed_protocols={"data", "file"})
    return _offline_fetcher


def export_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to an A4 PDF with page numbers (weasyprint), written atomically.

    The page size, margins, running header and ``page / pages`` footer come from the
    ``@page`` rules of the report stylesheet; relative URLs resolve against the HTML
    file's folder; nothing is fetched from the network.
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import HTML

    temp = _temp_path(pdf_path, ".pdf")
    try:
        document = HTML(filename=str(html_path), base_url=str(html_path.parent), url_fetcher=_url_fetcher())
        document.write_pdf(str(temp))
        os.replace(temp, pdf_path)
    except (OSError, ValueError) as exc:
        raise ReportError(
            f"cannot print {html_path.name} to PDF", notebook=html_path, ename=type(exc).__name__, evalue=str(exc)
        ) from None
    finally:
        _discard([temp])
    return pdf_path


# --------------------------------------------------------------------------- provenance


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def round_meta(ws: Workspace, round_id: str) -> dict[str, Any]:
    """The processed round's ``meta.json`` (written by cleaning), or `DataError` if absent."""
    path = ws.processed_round(round_id) / "meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"round {round_id!r} has not been cleaned yet (run `exchange-eval clean {round_id}`)", file=path) from None
    except (OSError, ValueError) as exc:
        raise DataError(f"unreadable meta.json: {exc}", file=path) from None


def provenance(ws: Workspace, round_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """What a report was built from: data hash of the processed inputs, package version, date.

    Parameters
    ----------
    ws : Workspace
    round_ids : sequence of str, optional
        The rounds the report reads (default: every cleaned round).

    Returns
    -------
    dict
        ``data_hash`` (sha256 over the rounds' ``meta.json`` data hashes, in round order;
        equal to the round's own data hash for a one-round report), ``rounds``
        (round id → data hash), ``package_version``, ``python``, ``built_at`` (UTC, ISO 8601).
    """
    if round_ids is None:
        processed = ws.processed_dir
        round_ids = sorted(p.parent.name for p in processed.glob("*/meta.json")) if processed.is_dir() else []
    hashes = {rid: str(round_meta(ws, rid).get("data_hash", "")) for rid in round_ids}
    if len(hashes) == 1:
        combined = next(iter(hashes.values()))
    else:
        digest = hashlib.sha256()
        for rid in sorted(hashes):
            digest.update(f"{rid}={hashes[rid]}\n".encode())
        combined = digest.hexdigest()
    return {
        "data_hash": combined,
        "rounds": hashes,
        "package_version": __version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "built_at": _now().isoformat(),
    }


# --------------------------------------------------------------------------- report specs


@dataclass(frozen=True)
class ReportSpec:
    """One report to build: which notebook, with which parameters, into which files."""

    kind: str  # round, synthesis, review
    name: str  # folder under reports/: the round id, "synthesis" or "review"
    notebook: Path
    stem: str  # round_report, synthesis_report, feedback_review
    lang: str
    default_lang: str
    parameters: dict[str, Any]
    title: str
    round_ids: tuple[str, ...]
    info: dict[str, Any]  # shown in the index: community, countries, …

    def folder(self, ws: Workspace) -> Path:
        return ws.reports_dir / self.name

    def path(self, ws: Workspace, ext: str) -> Path:
        return self.folder(ws) / f"{report_stem(self.stem, self.lang, self.default_lang)}.{ext}"


def report_stem(stem: str, lang: str, default_lang: str) -> str:
    """``stem`` in the default language, ``stem.<lang>`` in another one."""
    return stem if lang == default_lang else f"{stem}.{lang}"


def _default_language(ws: Workspace, round_id: str) -> str:
    meta_path = ws.processed_round(round_id) / "meta.json"
    if meta_path.is_file():
        try:
            lang = json.loads(meta_path.read_text(encoding="utf-8")).get("language")
        except ValueError:
            lang = None
        if lang:
            return str(lang)
    from ..clean.manifest import load_manifest

    return load_manifest(ws.raw_round(round_id)).language


def round_spec(ws: Workspace, round_id: str, lang: str | None = None) -> ReportSpec:
    """The round report of ``round_id`` (the round must have processed data for title etc.)."""
    default = _default_language(ws, round_id)
    lang = lang or default
    try:
        meta = round_meta(ws, round_id)
    except DataError:
        meta = {}
    if not meta:
        from ..clean.manifest import load_manifest

        manifest = load_manifest(ws.raw_round(round_id))
        meta = {"title": manifest.title, "community": manifest.community, "countries": list(manifest.countries)}
    return ReportSpec(
        kind="round",
        name=round_id,
        notebook=ws.notebooks_dir / "round_report.ipynb",
        stem="round_report",
        lang=lang,
        default_lang=default,
        parameters={
            "round_id": round_id,
            "lang": lang,
            "data_dir": str(ws.data_dir),
            "reports_dir": str(ws.reports_dir),
        },
        title=str(meta.get("title") or round_id),
        round_ids=(round_id,),
        info={
            "community": meta.get("community"),
            "countries": list(meta.get("countries") or []),
            "host": meta.get("host"),
        },
    )


def _programme_spec(
    ws: Workspace, kind: str, stem: str, lang: str, rounds: Sequence[str] | None
) -> ReportSpec:
    from ..present.i18n import t

    title = t(f"{kind}.title", lang)
    return ReportSpec(
        kind=kind,
        name=kind,
        notebook=ws.notebooks_dir / f"{stem}.ipynb",
        stem=stem,
        lang=lang,
        default_lang="en",
        parameters={
            "rounds": list(rounds) if rounds is not None else None,
            "lang": lang,
            "data_dir": str(ws.data_dir),
            "reports_dir": str(ws.reports_dir),
        },
        title=title,
        round_ids=tuple(rounds) if rounds is not None else (),
        info={},
    )


def synthesis_spec(ws: Workspace, lang: str = "en", rounds: Sequence[str] | None = None) -> ReportSpec:
    """The cross-round synthesis over ``rounds`` (None: every cleaned round)."""
    return _programme_spec(ws, "synthesis", "synthesis_report", lang, rounds)


def review_spec(ws: Workspace, lang: str = "en", rounds: Sequence[str] | None = None) -> ReportSpec:
    """The review of the feedback instruments over ``rounds`` (None: every cleaned round)."""
    return _programme_spec(ws, "review", "feedback_review", lang, rounds)


# --------------------------------------------------------------------------- build one report


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.lower() for f in formats))
    bad = [f for f in chosen if f not in ("ipynb", "html", "pdf")]
    if bad:
        raise ReportError(f"unknown report format(s) {', '.join(bad)}: use html, pdf")
    return chosen


@contextlib.contextmanager
def _data_dir_for_kernel(ws: Workspace) -> Iterator[None]:
    """Let the kernel (which inherits this environment) read the data folder's own
    configuration (``<data_dir>/config/``: thresholds, k, translations of scales)."""
    from ..core.config import DATA_DIR_ENV

    previous = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(ws.data_dir)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = previous


def build_report(
    ws: Workspace,
    spec: ReportSpec,
    formats: Iterable[str] = FORMATS,
    *,
    timeout: int = 600,
    timings: dict[str, float] | None = None,
) -> list[Path]:
    """Execute ``spec``'s notebook and export it; swap every output in only when all succeeded.

    The executed ``.ipynb`` is always kept (it is the source of the HTML); HTML is made
    when html or pdf is asked for (the PDF is printed from it) and kept only when asked
    for. Returns the paths written, ``.ipynb`` first, then the ``.json`` record.
    """
    formats = _check_formats(formats)
    timings = timings if timings is not None else {}
    clock = time.perf_counter()
    folder = spec.folder(ws)
    folder.mkdir(parents=True, exist_ok=True)
    finals = {ext: spec.path(ws, ext) for ext in ("ipynb", "html", "pdf", "json")}
    temps: dict[str, Path] = {}
    try:
        temps["ipynb"] = _temp_path(finals["ipynb"], ".ipynb")
        with _data_dir_for_kernel(ws):
            execute_notebook(
                spec.notebook,
                temps["ipynb"],
                spec.parameters,
                cwd=folder,
                timeout=timeout,
                failed_path=finals["ipynb"].with_suffix(".failed.ipynb"),
            )
        timings["execute"] = time.perf_counter() - clock
        prov = provenance(ws, spec.round_ids) if spec.round_ids else provenance(ws)
        if "html" in formats or "pdf" in formats:
            temps["html"] = _temp_path(finals["html"], ".html")
            header = " · ".join([spec.name, prov["built_at"][:10], spec.lang.upper()])
            export_html(
                temps["ipynb"],
                temps["html"],
                title=spec.title,
                lang=spec.lang,
                running_header=header,
                meta={"data-hash": prov["data_hash"], "built-at": prov["built_at"]},
            )
            timings["html"] = time.perf_counter() - clock - timings["execute"]
        if "pdf" in formats:
            temps["pdf"] = _temp_path(finals["pdf"], ".pdf")
            export_pdf(temps["html"], temps["pdf"])
            timings["pdf"] = time.perf_counter() - clock - timings["execute"] - timings["html"]
        written_formats = [f for f in ("html", "pdf") if f in formats]
        record = {
            "kind": spec.kind,
            "name": spec.name,
            "title": spec.title,
            "lang": spec.lang,
            "default_lang": spec.default_lang,
            "built_at": prov["built_at"],
            "data_hash": prov["data_hash"],
            "formats": written_formats,
            "files": {ext: finals[ext].name for ext in ["ipynb", *written_formats]},
            "rounds": list(prov["rounds"]),
            "provenance": prov,
            **spec.info,
        }
        temps["json"] = _temp_path(finals["json"], ".json")
        temps["json"].write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        written = []
        keep = ["ipynb", *written_formats, "json"]
        for ext in keep:
            os.replace(temps.pop(ext), finals[ext])
            written.append(finals[ext])
        return written
    finally:
        _discard(temps.values())


def _ensure_cleaned(ws: Workspace, round_id: str) -> None:
    """Clean ``round_id`` when its processed data are missing or older than its raw inputs."""
    from ..build import BuildCache, clean_is_current, record_clean  # light: no pandas

    cache = BuildCache.load(ws)
    if clean_is_current(ws, round_id, cache):
        return
    from ..clean.pipeline import clean_round

    clean_round(ws, round_id)
    record_clean(ws, cache, round_id)
    cache.save()


def build_round_report(
    ws: Workspace, round_id: str, lang: str | None = None, formats: Iterable[str] = FORMATS
) -> list[Path]:
    """Build ``reports/<round>/round_report[.<lang>].{ipynb,html,pdf}`` (cleaning first if needed).

    ``lang`` defaults to the round's language (manifest / meta.json); in that language the
    files are ``round_report.*``, in another ``round_report.<lang>.*``.
    """
    ws.require_round(round_id)
    _ensure_cleaned(ws, round_id)
    return build_report(ws, round_spec(ws, round_id, lang), formats)


def build_synthesis(
    ws: Workspace, lang: str = "en", formats: Iterable[str] = FORMATS, rounds: Sequence[str] | None = None
) -> list[Path]:
    """Build ``reports/synthesis/synthesis_report.*`` over ``rounds`` (default: all cleaned)."""
    return build_report(ws, synthesis_spec(ws, lang or "en", rounds), formats)


def build_review(
    ws: Workspace, lang: str = "en", formats: Iterable[str] = FORMATS, rounds: Sequence[str] | None = None
) -> list[Path]:
    """Build ``reports/review/feedback_review.*`` over ``rounds`` (default: all cleaned)."""
    return build_report(ws, review_spec(ws, lang or "en", rounds), formats)


# --------------------------------------------------------------------------- index


def _records(ws: Workspace) -> list[dict[str, Any]]:
    records = []
    if not ws.reports_dir.is_dir():
        return records
    for path in sorted(ws.reports_dir.glob("*/*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or record.get("kind") not in ("round", "synthesis", "review"):
            continue
        files = record.get("files") or {}
        # only link what is still there
        record["links"] = {
            fmt: f"{path.parent.name}/{files[fmt]}"
            for fmt in ("html", "pdf")
            if fmt in files and (path.parent / files[fmt]).is_file()
        }
        if record["links"]:
            records.append(record)
    return records


def _grouped(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per report (round, synthesis, review) with its language versions under
    ``versions`` (language -> links), described by the version in its default language."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_name.setdefault(str(record.get("name") or record["kind"]), []).append(record)
    grouped = []
    for name in sorted(by_name):
        versions = sorted(by_name[name], key=lambda r: (r.get("lang") != r.get("default_lang"), r.get("lang", "")))
        entry = dict(versions[0])
        entry["versions"] = {str(v.get("lang", "")): v["links"] for v in versions}
        entry["built_at"] = max(str(v.get("built_at") or "") for v in versions)
        grouped.append(entry)
    return grouped


def write_index(ws: Workspace) -> Path:
    """Write ``reports/index.html``: every report found on disk, with relative links.

    Built from the ``*.json`` records next to the reports, so it reflects what exists,
    whichever command built it. Offline, like the reports.
    """
    records = _records(ws)
    rounds = _grouped(r for r in records if r["kind"] == "round")
    programme = _grouped(r for r in records if r["kind"] != "round")
    languages = sorted({r.get("lang", "") for r in records})
    template = _page_env().get_template("index.html.j2")
    body = template.render(
        rounds=rounds, programme=programme, languages=languages, built_at=_now().isoformat(), version=__version__
    )
    page = render_page(body, title="exchange-eval reports", lang="en", running_header="exchange-eval · reports")
    return write_text_atomic(ws.reports_dir / "index.html", page)


def escape(text: Any) -> str:
    """HTML-escape ``text`` (for notebooks building small HTML fragments); see
    `exchange_eval.clean.protect.escape_html`."""
    from ..core.safe import escape_html

    return escape_html(text)
