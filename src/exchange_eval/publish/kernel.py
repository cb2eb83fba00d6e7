"""The Jupyter kernel that executes report notebooks: this interpreter, over Unix sockets.

Imported only when a notebook is executed (by `exchange_eval.publish.execute`): it
subclasses jupyter_client, which a build with nothing to do never loads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

__all__ = ["VenvKernelManager", "is_kernel_start_failure"]


class VenvKernelManager(AsyncKernelManager):
    """A kernel manager that always starts *this* interpreter's ipykernel.

    A ``python3`` kernelspec found first on the Jupyter path (for example in
    ``~/.local/share/jupyter/kernels``) may point to another Python without our package;
    the notebooks must run in the interpreter that runs the build (the project's venv,
    fresh after ``make install`` too), so the spec is pinned to ``sys.executable``.
    """

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


def is_kernel_start_failure(exc: BaseException) -> bool:
    """True for errors raised while a kernel starts (port race, slow start), not by a cell."""
    name = type(exc).__name__
    if name in ("PapermillExecutionError", "CellTimeoutError", "CellExecutionError"):
        return False
    text = str(exc).lower()
    if name == "DeadKernelError":
        return "kernel_info" in text or "before" in text
    return isinstance(exc, RuntimeError | TimeoutError | OSError) or "zmq" in type(exc).__module__
