"""The Jupyter kernels that execute report notebooks: this interpreter, over Unix sockets.

Two ways to start one:

- `VenvKernelManager` alone starts ``sys.executable -m ipykernel_launcher``, as Jupyter
  does: a new interpreter that imports pandas, statsmodels, matplotlib and the package
  again for every report (about three seconds of CPU each time).
- With a `KernelZygote` (``manager_class(zygote)``) the kernel is forked from a
  long-lived process that imported those libraries once. Each report still gets a new
  process, forked from the zygote's clean state after its imports and thrown away after
  the report, so nothing a report does leaks into the next; only the import work is
  shared (copy-on-write pages).

The zygote is a separate interpreter (``python -m exchange_eval.publish.kernel``) with one
thread, started with a pipe: it forks only itself, never a process that runs threads
(a build's progress display, a worker's queues). It keeps one spare kernel forked ahead,
waiting for its connection file, so that the next report finds it ready; when the pipe
closes (its owner ended or died) it kills its kernels and exits, and each kernel watches
the zygote (``JPY_PARENT_PID``) and exits when it goes.

Imported only when a notebook is executed (by `exchange_eval.publish.execute`): it
subclasses jupyter_client, which a build with nothing to do never loads.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

__all__ = [
    "PRELOAD",
    "WARM_UP",
    "ForkedKernelProcess",
    "KernelZygote",
    "VenvKernelManager",
    "is_kernel_start_failure",
    "manager_class",
    "notebook_imports",
]

# what every report kernel imports (directly or through the package): loaded once in the
# zygote; the modules the notebooks import themselves are added by `notebook_imports`
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "scipy.stats",
    "statsmodels.api",
    "statsmodels.formula.api",
    "matplotlib.pyplot",
    "networkx",
    "babel.numbers",
    "ipykernel.kernelapp",
)
# called once in the zygote after the imports ("module:function"): package data every
# report reads the same way (never a data folder's files)
WARM_UP = ("exchange_eval.present.i18n:read_catalogs", "exchange_eval.core.config:read_package_config")


def notebook_imports(notebooks: Iterable[Path]) -> list[str]:
    """The absolute module names imported by the code cells of ``notebooks``.

    ``from X import Y`` gives ``X`` and ``X.Y``: Y may be a submodule (a name that is not
    one fails to import, which the zygote ignores).

    Examples
    --------
    >>> import json, tempfile
    >>> cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
    ...         "source": "from exchange_eval.core.paths import Workspace\\nimport json, os.path"}
    >>> path = Path(tempfile.mkdtemp()) / "n.ipynb"
    >>> _ = path.write_text(json.dumps({"cells": [cell]}))
    >>> notebook_imports([path])
    ['exchange_eval.core.paths', 'exchange_eval.core.paths.Workspace', 'json', 'os.path']
    """
    names: dict[str, None] = {}
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError:  # IPython magics: the kernel will say so, not the preloader
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(dict.fromkeys(alias.name for alias in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names[node.module] = None
                    names.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names))
    return list(names)


class KernelZygote:
    """A process with the report libraries imported that forks one fresh kernel per report.

    Parameters
    ----------
    modules : sequence of str
        Imported once in the zygote (in the background, while the caller goes on); a
        module that fails to import is left to the kernel, which reports it in its cell.
        Default: `PRELOAD`.

    Use `spawn` through ``manager_class(zygote)``; `close` (or the end of the
    owning process) ends the zygote and its kernels.
    """

    def __init__(self, modules: Sequence[str] = PRELOAD) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "exchange_eval.publish.kernel", *modules],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.ready = False

    def alive(self) -> bool:
        """True while the zygote runs."""
        return self.process.poll() is None

    def wait_ready(self) -> bool:
        """Wait until the zygote has imported its modules (it says so once, on its
        output); False when it ended first."""
        if not self.ready and self.process.stdout is not None:
            try:
                self.ready = bool(self.process.stdout.readline())
            except (OSError, ValueError):
                return False
        return self.ready

    def spawn(self, connection_file: str, cwd: str | None, env: dict[str, str]) -> int:
        """Fork a kernel that serves ``connection_file`` in ``cwd`` with ``env``; its pid.

        Raises
        ------
        RuntimeError
            When the zygote is gone (a kernel start failure: the caller may retry with a
            plain kernel).
        """
        request = {"connection_file": connection_file, "cwd": cwd or os.getcwd(), "env": env}
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None or not self.alive() or not self.wait_ready():
            raise RuntimeError("the kernel zygote is not running")
        try:
            stdin.write((json.dumps(request) + "\n").encode())
            stdin.flush()
            reply = stdout.readline()
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"the kernel zygote stopped: {exc}") from None
        if not reply:
            raise RuntimeError("the kernel zygote stopped")
        return int(json.loads(reply)["pid"])

    def close(self) -> None:
        """End the zygote; its kernels end with it."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class ForkedKernelProcess:
    """The part of `subprocess.Popen` that jupyter_client uses, for a kernel the zygote forked.

    The kernel is the zygote's child, not ours: it is watched and signalled through a
    pidfd (Linux), so a recycled pid can never be hit. Its exit status belongs to the
    zygote, which reaps it; `poll` returns 0 once it has ended.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # ended (and reaped) already
            self._pidfd = None
            self.returncode = 0

    def _ended(self, timeout: float | None) -> bool:
        if self._pidfd is None:
            return True
        ready, _, _ = select.select([self._pidfd], [], [], timeout)
        if ready:
            os.close(self._pidfd)
            self._pidfd = None
            self.returncode = 0
        return bool(ready)

    def poll(self) -> int | None:
        self._ended(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended(timeout):
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        return 0

    def send_signal(self, signum: int) -> None:
        if self._pidfd is None:
            raise ProcessLookupError(f"kernel {self.pid} has ended")
        signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Launches the kernel by asking a `KernelZygote` to fork one (connection file as usual)."""

    zygote: KernelZygote | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if self.zygote is None or "-f" not in cmd:
            return await super().launch_kernel(cmd, **kwargs)
        connection_file = cmd[cmd.index("-f") + 1]
        # jupyter_client's environment for the kernel (this process's, plus its own keys)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or {}).items()}
        cwd = kwargs.get("cwd")
        pid = self.zygote.spawn(connection_file, str(cwd) if cwd else None, env)
        self.process = ForkedKernelProcess(pid)
        self.pid = pid
        self.pgid = None  # its own session; signals go to the kernel itself
        self.cwd = cwd or Path.cwd()
        return self.connection_info


class VenvKernelManager(AsyncKernelManager):
    """A kernel manager that always starts *this* interpreter's ipykernel.

    A ``python3`` kernelspec found first on the Jupyter path (for example in
    ``~/.local/share/jupyter/kernels``) may point to another Python without our package;
    the notebooks must run in the interpreter that runs the build (the project's venv,
    fresh after ``make install`` too), so the spec is pinned to ``sys.executable``.
    In a subclass made by `manager_class`, the kernel is forked from its `KernelZygote`
    instead of started anew.
    """

    zygote: KernelZygote | None = None

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

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        zygote = type(self).zygote
        if self.provisioner is None and zygote is not None and zygote.alive():
            provisioner = ForkProvisioner(kernel_id=self.kernel_id or "", kernel_spec=self.kernel_spec, parent=self)
            provisioner.zygote = zygote
            self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        # the kernel's own console chatter (shutdown notices) must not interleave with
        # the build's output; cell output travels over the kernel protocol anyway
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


def manager_class(zygote: KernelZygote | None) -> type[VenvKernelManager]:
    """`VenvKernelManager`, or a subclass forking its kernels from ``zygote``.

    papermill (nbclient) makes the kernel manager from a class, so the zygote travels as
    a class attribute of a subclass made for it.
    """
    if zygote is None:
        return VenvKernelManager
    return type("ZygoteKernelManager", (VenvKernelManager,), {"zygote": zygote})


def is_kernel_start_failure(exc: BaseException) -> bool:
    """True for errors raised while a kernel starts (port race, slow start), not by a cell."""
    name = type(exc).__name__
    if name in ("PapermillExecutionError", "CellTimeoutError", "CellExecutionError"):
        return False
    text = str(exc).lower()
    if name == "DeadKernelError":
        return "kernel_info" in text or "before" in text
    return isinstance(exc, RuntimeError | TimeoutError | OSError) or "zmq" in type(exc).__module__


# --------------------------------------------------------------------------- the zygote process


def _kernel_child(orders: int) -> None:
    """In a forked spare: wait for the connection file, then become the kernel (never returns)."""
    code = 1
    try:
        with os.fdopen(orders, "rb") as handle:
            line = handle.readline()
        if not line:  # the zygote is ending: no report for this spare
            os._exit(0)
        request = json.loads(line)
        os.chdir(request["cwd"])
        if request["env"]:  # the kernel's environment is the one its client prepared
            os.environ.clear()
            os.environ.update(request["env"])
        # the zygote is this kernel's parent: ipykernel's poller ends the kernel when it goes
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        sys.argv = [sys.executable, "-f", request["connection_file"]]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", request["connection_file"]])
        code = 0
    except BaseException:  # noqa: BLE001 - a kernel that cannot start ends; the client sees it dead
        code = 1
    finally:
        os._exit(code)


def _fork_spare() -> tuple[int, IO[bytes]]:
    """Fork a spare kernel waiting on a pipe for its orders: (pid, the pipe's writing end)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the spare
        os.close(write_end)
        os.setsid()  # a Ctrl-C in the build's terminal is the build's to handle, not each kernel's
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        _kernel_child(read_end)
    os.close(read_end)
    return pid, os.fdopen(write_end, "wb")


def _reap(_signum: int = 0, _frame: Any = None) -> None:
    """Collect ended kernels (SIGCHLD)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _children.discard(pid)


_children: set[int] = set()


def _zygote_main(modules: Sequence[str]) -> None:
    """Import ``modules``, then fork a kernel for each request read on stdin."""
    # like ipykernel_launcher: the working folder is not an import location
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]
    # read by ipykernel at import: each kernel's parent is this process
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in (*modules, *WARM_UP):
        module, _, function = name.partition(":")
        try:
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()
        except Exception:  # noqa: BLE001,S112 - the kernel imports it again and reports the error
            continue
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the owner decides when the zygote ends
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    spare, orders = _fork_spare()
    _children.add(spare)
    replies.write(b'{"ready": true}\n')  # before any reply: `KernelZygote.wait_ready` reads it
    replies.flush()
    try:
        for line in requests:
            orders.write(line)
            orders.close()
            replies.write((json.dumps({"pid": spare}) + "\n").encode())
            replies.flush()
            spare, orders = _fork_spare()
            _children.add(spare)
    finally:
        orders.close()  # the waiting spare reads end-of-file and exits
        for pid in list(_children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    _zygote_main(sys.argv[1:])
