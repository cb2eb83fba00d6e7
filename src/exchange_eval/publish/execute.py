"""Execute a report notebook with papermill: parameters injected, failures kept as evidence.

As in papermill, the parameters go into a new cell tagged ``injected-parameters`` right
after the cell tagged ``parameters``. A failed run still writes the executed notebook,
with the traceback, as ``<name>.failed.ipynb`` beside the output, and raises a
`ReportError` naming the failing code cell as a user counts them in the template.

papermill, nbformat and jupyter_client are imported inside the functions that use them:
the build plans (and skips) reports by importing `exchange_eval.publish`, and a build with
nothing to do must not pay for them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ReportError
from .staging import discard, staging_path

if TYPE_CHECKING:  # the kernel module loads jupyter_client: see the module docstring
    from .kernel import KernelZygote

__all__ = ["execute_notebook", "run_notebook", "KERNEL_NAME", "INJECTED_TAG", "ERROR_MARKER_TAG"]

KERNEL_NAME = "python3"
INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"
KERNEL_START_ATTEMPTS = 3

log = logging.getLogger(__name__)


def execute_notebook(
    template: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path | None = None,
    timeout: int = 600,
    failed_path: Path | None = None,
    zygote: KernelZygote | None = None,
) -> Path:
    """Execute ``template`` with ``parameters`` and write the executed notebook to ``output``.

    `run_notebook`, returning ``output``: see it for the parameters and errors.
    """
    run_notebook(template, output, parameters, cwd=cwd, timeout=timeout, failed_path=failed_path, zygote=zygote)
    return Path(output)


def run_notebook(
    template: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path | None = None,
    timeout: int = 600,
    failed_path: Path | None = None,
    zygote: KernelZygote | None = None,
) -> Any:
    """Execute ``template`` with ``parameters``, write the executed notebook to ``output``
    and return it (an ``nbformat.NotebookNode``, so exporting need not read it back).

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
    zygote : KernelZygote, optional
        Fork the kernel from this process, which has the libraries imported already
        (`exchange_eval.publish.kernel`); default: start a new interpreter.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook, as written to ``output``.

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
    whatever kernelspecs are installed elsewhere; it is killed as soon as the last cell
    has run (its outputs are all in hand by then). Kernel start failures (e.g. a port taken
    by a parallel build between choice and bind, a zygote that ended) are retried up to
    three times, without the zygote after the first.
    """
    template = Path(template)
    output = Path(output)
    if not template.is_file():
        raise ReportError("report notebook not found", notebook=template)
    import papermill  # heavy: see the module docstring
    from papermill.exceptions import PapermillExecutionError

    from .kernel import is_kernel_start_failure, manager_class

    logging.getLogger("papermill").setLevel(logging.ERROR)
    failed_copy = Path(failed_path) if failed_path else output.with_name(output.stem + ".failed.ipynb")
    temp = staging_path(output, ".ipynb")
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                executed = papermill.execute_notebook(
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
                    kernel_manager_class=manager_class(zygote if attempt == 1 else None),
                    shutdown_kernel="immediate",
                )
                break
            except PapermillExecutionError as exc:
                raise _cell_error(exc, template, temp, failed_copy) from None
            except Exception as exc:
                if attempt < KERNEL_START_ATTEMPTS and is_kernel_start_failure(exc):
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
        discard([failed_copy])
    finally:
        discard([temp])
    return executed


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


def _cell_error(exc: Any, template: Path, temp: Path, failed_copy: Path) -> ReportError:
    """Turn papermill's execution error into a `ReportError`, keeping the failed notebook."""
    import nbformat  # heavy: see the module docstring

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
