"""One notebook kernel for a whole run: the notebooks execute in turn, each in a fresh namespace.

Starting a kernel and importing pandas, matplotlib and seaborn into it is most of
what a notebook stage costs on the demo. A run therefore starts one kernel, the
first time a stage has to execute, and executes every notebook of every audit in
it. Before each notebook the kernel's namespace is cleared (`%reset -f`), so a
notebook sees none of the previous one's variables, exactly as in a new kernel;
only the module cache is kept, which is what makes the second notebook's imports
free.
"""
from __future__ import annotations

import importlib
import os
from contextlib import contextmanager
from typing import Iterator

from .background import in_background
from .kernel_launch import PARSE_AHEAD_VARIABLE

# Imported into the kernel as soon as it starts, while the run is still doing
# other work (the raw file's checksum, its own imports): the first notebook's
# import cell then finds them loaded.
WARM_UP = ("import matplotlib.pyplot, pandas, helpers.clean.cleaning, helpers.measures.stage, "
           "helpers.report.charts, helpers.report.sections")


IPYKERNEL_LAUNCHER, KERNEL_LAUNCH = "ipykernel_launcher", "helpers.run.kernel_launch"


def warm_up_code(workbook: str | None = None) -> str:
    """What the kernel runs once it is ready: the workbook's parse first, unless the kernel's launch started it
    (on threads of its own; calamine holds no Python lock while it parses), then the imports."""
    parse = (f"import helpers.read.workbook\nhelpers.read.workbook.parse_ahead({str(workbook)!r})\n"
             if workbook else "")
    return parse + WARM_UP


def parsing_kernel_manager():
    """A kernel manager class that launches `helpers.run.kernel_launch` in place of `ipykernel_launcher`.

    That module starts parsing the workbook named in its environment as the process starts, then runs the kernel
    exactly as ipykernel_launcher does (see `helpers.run.kernel_launch`).
    """
    from jupyter_client.manager import AsyncKernelManager

    class ParsingKernelManager(AsyncKernelManager):
        @property
        def launches_through_kernel_launch(self) -> bool:
            """Whether the kernel spec runs ipykernel_launcher, which this manager replaces."""
            return IPYKERNEL_LAUNCHER in self.kernel_spec.argv

        def format_kernel_cmd(self, extra_arguments=None):
            command = super().format_kernel_cmd(extra_arguments)
            return [KERNEL_LAUNCH if part == IPYKERNEL_LAUNCHER else part for part in command]

    return ParsingKernelManager


class NotebookKernel:
    """A lazily started kernel that papermill executes notebooks in (`km=`)."""

    def __init__(self, kernel_name: str, cwd: str, extra_arguments: list[str] | None = None):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.extra_arguments = list(extra_arguments or [])
        self.manager = None

    @property
    def started(self) -> bool:
        return self.manager is not None

    def start(self, then_import_here: tuple[str, ...] = (), parse_ahead: str | None = None) -> None:
        """Start the kernel and let it import the heavy libraries without waiting for them.

        `then_import_here` names modules this process will need (papermill, nbconvert): they are
        imported in a background thread while the kernel starts, so the two costs overlap.
        `parse_ahead` is the workbook the first notebook will read: the kernel process starts parsing it as it
        launches, before IPython is imported (see `helpers.run.kernel_launch` and
        `helpers.read.workbook.parse_ahead`).
        """
        if self.started:
            return
        if then_import_here:
            in_background(lambda: [importlib.import_module(module) for module in then_import_here])
        from jupyter_core.utils import run_sync

        manager = parsing_kernel_manager()(kernel_name=self.kernel_name)
        # Only a kernel launched through kernel_launch is given the workbook: it takes the variable out of its
        # environment, so no notebook or program a notebook starts sees it.
        given = bool(parse_ahead) and manager.launches_through_kernel_launch
        environment = {**os.environ, **({PARSE_AHEAD_VARIABLE: str(parse_ahead)} if given else {})}
        run_sync(manager.start_kernel)(cwd=self.cwd, extra_arguments=self.extra_arguments, env=environment)
        client = manager.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)
        # A kernel spec that does not launch ipykernel_launcher starts the parse with its imports instead.
        client.execute(warm_up_code(None if given else parse_ahead), silent=True, store_history=False)
        client.stop_channels()
        self.manager = manager

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
        self.start()
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
