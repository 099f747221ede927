"""One notebook kernel for a whole run: the notebooks execute in turn, each in a fresh namespace.

Starting a kernel and importing pandas into it costs about as much as everything
the notebooks then do on the demo, once per notebook; one kernel per run saves
about 5 s. Before each notebook the kernel's namespace is cleared (`%reset -f`),
so a notebook sees none of the previous one's variables, exactly as in a new
kernel; only the module cache is kept, which makes the next notebook's imports
free.
"""
from __future__ import annotations

import queue
import time
from contextlib import contextmanager
from typing import Iterator

from jupyter_client.asynchronous import AsyncKernelClient

# Imported by the kernel as it starts (ipykernel's exec_lines), before it says it is ready: the imports then
# overlap the audit's computation in the run's own process, and the first notebook's import cell finds them
# loaded. Sent after the kernel was ready, they held up the first notebook by about 1 s.
WARM_UP = "import pandas, helpers.run.loaders, helpers.report.sections"


class AnsweringKernelClient(AsyncKernelClient):
    """A kernel client that is ready once the kernel answers and its output channel is connected.

    jupyter_client's own wait then also listens for 0.2 s of silence on the output channel, for the run's first
    wait and once per notebook papermill runs (about 1.2 s of every run); nbclient ignores any message that does
    not answer its own request, so that silence buys nothing here. The check that the output channel is
    connected is kept: a message published before it is would be lost, and with it a cell's output.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or 60)
        while True:
            self.kernel_info()
            try:
                # Any kernel_info reply will do: one to an earlier request (sent while the kernel was still
                # starting) is as good.
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply":
                    await self.iopub_channel.get_msg(timeout=0.2)  # any message: the channel is connected
                    return
            except queue.Empty:
                pass
            if not await self.is_alive():
                raise RuntimeError("the notebook kernel stopped before it answered")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the notebook kernel did not answer in {timeout or 60:g} s")


class NotebookKernel:
    """A kernel that papermill executes notebooks in (`km=`), started once."""

    def __init__(self, kernel_name: str, cwd: str, extra_arguments: list[str] | None = None):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.extra_arguments = list(extra_arguments or [])
        self.manager = None
        self.ready = False

    @property
    def started(self) -> bool:
        return self.manager is not None

    def launch(self) -> None:
        """Start the kernel's process without waiting for it: it boots on one core while the run computes the
        audit on the other."""
        if self.started:
            return
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.manager = AsyncKernelManager(kernel_name=self.kernel_name, client_factory=AnsweringKernelClient)
        run_sync(self.manager.start_kernel)(cwd=self.cwd, extra_arguments=[
            *self.extra_arguments, f"--IPKernelApp.exec_lines={WARM_UP}"])
        self.ready = False

    def wait_until_ready(self) -> None:
        """Wait for the kernel to answer (it has then imported the notebooks' libraries)."""
        self.launch()
        if self.ready:
            return
        from jupyter_core.utils import run_sync

        client = self.manager.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=60)
        finally:
            client.stop_channels()
        self.ready = True

    def fresh_namespace(self) -> None:
        """Clear the user namespace: the next notebook starts as in a new kernel (modules stay imported)."""
        from jupyter_core.utils import run_sync

        # A client of its own each time: the previous notebook's client (papermill's) was the last to talk
        # to the kernel, and a client's channels are not reused across clients' event-loop turns.
        client = self.manager.client()
        client.start_channels()
        try:
            reply = run_sync(client.execute_interactive)("%reset -f", store_history=False, timeout=120,
                                                         output_hook=lambda message: None)
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the notebook kernel could not be reset: {reply['content']}")

    def kernel_for_next_notebook(self):
        """The kernel manager to give papermill, started and with an empty namespace."""
        self.wait_until_ready()
        self.fresh_namespace()
        return self.manager

    def shutdown(self) -> None:
        if not self.started:
            return
        from jupyter_core.utils import run_sync

        run_sync(self.manager.shutdown_kernel)(now=True)
        self.manager = None


@contextmanager
def notebook_kernel(kernel_name: str, cwd: str, extra_arguments: list[str] | None = None) -> Iterator[NotebookKernel]:
    """A run's kernel, shut down at the end whatever happened."""
    kernel = NotebookKernel(kernel_name, cwd, extra_arguments)
    try:
        yield kernel
    finally:
        kernel.shutdown()
