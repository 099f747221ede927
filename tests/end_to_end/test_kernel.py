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


def test_a_table_written_by_a_forked_copy_of_the_kernel_leaves_the_kernel_working(tmp_path):
    """At 100,000 cases notebook 01 writes the agency returns from a fork of the kernel (helpers.run.outputs)."""
    writing = _notebook(
        tmp_path / "writing.ipynb",
        "import os\nfrom pathlib import Path\nimport pandas as pd\nfrom helpers.run import outputs",
        "outputs.WRITTEN_ASIDE_FROM_ROWS = 10\n"
        "returns = pd.DataFrame({'case_id': [f'{n:016x}' for n in range(1000)], 'agency': ['police, \"x\"'] * 1000})\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "written_by = {}\n"
        "def recording(frame, path, write=outputs.write_csv):\n"
        "    (folder / f'{path.name}.pid').write_text(str(os.getpid()))\n"
        "    return write(frame, path)\n"
        "outputs.write_csv = recording\n"
        "outputs.write_tables({folder / 'aside.csv': returns, folder / 'here.csv': returns.head(3)})\n"
        "outputs.write_csv = recording.__defaults__[0]\n"
        "outputs.write_csv(returns, folder / 'serial.csv')\n"
        "print((folder / 'aside.csv').read_bytes() == (folder / 'serial.csv').read_bytes())\n"
        "print((folder / 'aside.csv.pid').read_text() != str(os.getpid()), "
        "(folder / 'here.csv.pid').read_text() == str(os.getpid()))")
    after = _notebook(tmp_path / "after.ipynb", "print(sum(range(10)))")
    with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
        printed = []
        for source in (writing, after):
            executed = papermill.execute_notebook(str(source), str(tmp_path / f"out-{source.name}"),
                                                  kernel_name=config.KERNEL_NAME, progress_bar=False,
                                                  km=kernel.kernel_for_next_notebook(), execution_timeout=60)
            printed.append("".join(o.get("text", "") for cell in executed.cells for o in cell.outputs))
    assert printed == ["True\nTrue True\n", "45\n"]


def test_the_run_kernel_starts_parsing_the_workbook_as_it_launches(tmp_path):
    """`parse_ahead=` reaches the kernel process through its environment (helpers.run.kernel_launch), which
    starts the parse before IPython loads; the variable is gone by the time a notebook runs."""
    from conftest import case_row, quorate_returns, write_workbook

    (tmp_path / "Children's Services (2025) $HOME é").mkdir()
    workbook = write_workbook(tmp_path / "Children's Services (2025) $HOME é" / "audit.xlsx", [case_row("A1")],
                              quorate_returns("A1"), {"window_start": "01/04/2025"})
    probe = _notebook(
        tmp_path / "probe.ipynb",
        "import os, sys\nfrom helpers.read import workbook\nfrom helpers.run.kernel_launch import PARSE_AHEAD_VARIABLE",
        f"print(workbook.file_identity({str(workbook)!r}) in workbook._PARSED_AHEAD)\n"
        "print(PARSE_AHEAD_VARIABLE in os.environ)\n"
        "print(sys.argv[0].endswith('kernel_launch.py'))\n"
        "print(sys.path)")
    with notebook_kernel(config.KERNEL_NAME, str(tmp_path)) as kernel:
        kernel.start(parse_ahead=str(workbook))
        executed = papermill.execute_notebook(str(probe), str(tmp_path / "out.ipynb"), kernel_name=config.KERNEL_NAME,
                                              progress_bar=False, km=kernel.kernel_for_next_notebook())
    printed = "".join(o.get("text", "") for cell in executed.cells for o in cell.outputs).splitlines()
    assert printed[:3] == ["True", "False", "True"]
    # sys.path as in a kernel ipykernel_launcher starts in the same folder
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    manager = AsyncKernelManager(kernel_name=config.KERNEL_NAME)
    run_sync(manager.start_kernel)(cwd=str(tmp_path))
    try:
        usual = papermill.execute_notebook(str(probe), str(tmp_path / "usual.ipynb"), kernel_name=config.KERNEL_NAME,
                                           progress_bar=False, km=manager)
    finally:
        run_sync(manager.shutdown_kernel)(now=True)
    usual_printed = "".join(o.get("text", "") for cell in usual.cells for o in cell.outputs).splitlines()
    assert usual_printed[2] == "False"  # launched by ipykernel_launcher
    assert printed[3] == usual_printed[3]
