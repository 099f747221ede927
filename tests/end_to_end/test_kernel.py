"""One kernel per run: notebooks execute in turn, and none sees another's variables."""
import nbformat
import papermill
import pytest

from helpers import config
from helpers.run.kernel import notebook_kernel


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "display_name": "Python", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, str(path))
    return path


def test_notebooks_share_a_kernel_but_not_a_namespace(tmp_path):
    first = _notebook(tmp_path / "first.ipynb", "left_behind = 1", "import os\nprocess = os.getpid()\nprint(process)")
    second = _notebook(tmp_path / "second.ipynb", "import os\nprint(os.getpid())",
                       "print('left_behind' in globals())")
    with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
        outputs = []
        for source in (first, second):
            executed = papermill.execute_notebook(str(source), str(tmp_path / f"out-{source.name}"),
                                                  kernel_name=config.KERNEL_NAME, progress_bar=False,
                                                  km=kernel.kernel_for_next_notebook())
            outputs.append([o.get("text", "") for cell in executed.cells for o in cell.outputs])
        manager = kernel.manager
    first_pid, second_pid = outputs[0][0].strip(), outputs[1][0].strip()
    assert first_pid == second_pid, "both notebooks ran in the same kernel process"
    assert outputs[1][1].strip() == "False", "the second notebook saw the first one's variable"
    assert not manager.has_kernel, "the kernel was shut down at the end of the run"


def test_the_kernel_is_shut_down_when_a_notebook_fails(tmp_path):
    broken = _notebook(tmp_path / "broken.ipynb", "raise RuntimeError('stage failed')")
    with pytest.raises(papermill.PapermillExecutionError):
        with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
            papermill.execute_notebook(str(broken), str(tmp_path / "out.ipynb"), kernel_name=config.KERNEL_NAME,
                                       progress_bar=False, km=kernel.kernel_for_next_notebook())
    assert not kernel.started


def test_the_kernel_has_imported_the_notebooks_libraries_when_it_is_ready(tmp_path):
    probe = _notebook(tmp_path / "probe.ipynb", "import sys\nprint(sorted(m for m in ('pandas', 'helpers.run.loaders', "
                      "'helpers.report.sections') if m in sys.modules))")
    with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
        executed = papermill.execute_notebook(str(probe), str(tmp_path / "out.ipynb"), kernel_name=config.KERNEL_NAME,
                                              progress_bar=False, km=kernel.kernel_for_next_notebook())
    printed = executed.cells[0].outputs[0]["text"].strip()
    assert printed == "['helpers.report.sections', 'helpers.run.loaders', 'pandas']"


def test_a_notebook_starts_while_the_kernel_is_still_publishing_output(tmp_path):
    """Papermill's client for each notebook waits only for the kernel's answer, not for 0.2 s of silence on its
    output channel (jupyter_client's own wait, about 1 s a run): a kernel whose earlier notebook left a thread
    printing is not waited for until the thread stops."""
    chatty = _notebook(tmp_path / "chatty.ipynb",
                       "import threading\n"
                       "def chatter():\n    import sys, time  # the next notebook's fresh namespace has neither\n"
                       "    for i in range(300):\n"
                       "        print(i, file=sys.stderr, flush=True)\n        time.sleep(0.05)\n"
                       "threading.Thread(target=chatter, name='chatter', daemon=True).start()")
    probe = _notebook(tmp_path / "probe.ipynb",
                      "import threading\nprint(any(t.name == 'chatter' for t in threading.enumerate()))")
    with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
        for source in (chatty, probe):
            executed = papermill.execute_notebook(str(source), str(tmp_path / f"out-{source.name}"),
                                                  kernel_name=config.KERNEL_NAME, progress_bar=False,
                                                  km=kernel.kernel_for_next_notebook())
    # The thread's lines go to stderr (they may land in any running cell); the probe's answer is its stdout.
    printed = "".join(o["text"] for o in executed.cells[0].outputs if o.get("name") == "stdout").split()
    assert printed == ["True"], "the second notebook waited for the first one's thread to stop"


def test_a_failing_notebook_stops_the_run_and_is_kept_with_its_error_at_its_cell(tmp_path, monkeypatch):
    from helpers.run import pipeline

    monkeypatch.setattr(config, "NOTEBOOKS", tmp_path)
    _notebook(tmp_path / "failing.ipynb", "shown = 'before'\nprint(shown)", "raise ValueError('a bad figure')",
              "print('never')")
    executed = tmp_path / "executed" / "failing.ipynb"
    with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
        with pytest.raises(pipeline.StageFailed, match=r"notebooks/failing.ipynb failed: ValueError: a bad figure"):
            pipeline.run_notebook("failing.ipynb", {}, "[test]", executed, kernel)
    kept = nbformat.read(str(executed), as_version=4)
    code = [c for c in kept.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "before\n"
    assert code[1].outputs[0]["ename"] == "ValueError" and not code[2].outputs


def test_a_kernel_that_stopped_is_an_error_not_a_wait_without_end():
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from helpers.run.kernel import AnsweringKernelClient

    manager = AsyncKernelManager(kernel_name=config.KERNEL_NAME, client_factory=AnsweringKernelClient)
    run_sync(manager.start_kernel)()
    client = manager.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=60)
        run_sync(manager.shutdown_kernel)(now=True)
        with pytest.raises(RuntimeError, match="the notebook kernel stopped before it answered"):
            run_sync(client.wait_for_ready)(timeout=60)
    finally:
        client.stop_channels()
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
