"""Random sequences of what analysts do, then one more run: every audit's outputs equal a fresh run's (issue 19).

Actions: run an audit (with either threshold, the later one with or without the earlier as EARLIER), run
notebook 02 by hand on an audit's folder (its loaders, with any threshold and output folder), delete or edit
an output, and a run stopped part-way through putting its folders in place. After each action no report
stands beside data it was not made from, and another audit's run never changes an earlier audit's folders.
After the sequence, running each audit again gives exactly the outputs of a fresh run with the same inputs.

The pipeline here is `helpers.run.pipeline.report`, in this process, with two stand-ins that keep 30
sequences to seconds: `helpers.audit` is remembered per distinct input (it is a pure function of them,
test_spine checks that), and the notebooks' rendering is replaced by a digest of the processed folder they
read (notebook 04 reads nothing else; the end-to-end tests render real reports).
"""
from __future__ import annotations

import hashlib
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import helpers.spine
from conftest import KEY, case_row, examples, quorate_returns, write_workbook
from helpers import config
from helpers.errors import AuditInputError
from helpers.measures import Parameters
from helpers.run import audit_folders, loaders, pipeline
from helpers.run.manifest import MANIFEST, read_manifest

REAL_AUDIT = helpers.spine.audit
REMEMBERED: dict = {}
AUDITS = ("earlier", "later")


def workbook(path: Path, start: str, end: str) -> Path:
    cases = [case_row("A1", strategy_discussion_date="18/03/2025", icpc_date=start),
             case_row("A2", strategy_discussion_date="04/03/2025", icpc_date=start, plan_smart="No")]
    returns = [r for ref in ("A1", "A2") for r in quorate_returns(ref)]
    return write_workbook(path, cases, returns, {"audit_title": "Our audit", "window_start": start,
                                                 "window_end": end, "population": 30})


@pytest.fixture(scope="module")
def raws(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sequences")
    return {"earlier": workbook(folder / "earlier.xlsx", "01/10/2024", "31/03/2025"),
            "later": workbook(folder / "later.xlsx", "01/04/2025", "30/09/2025")}


def remembered_audit(raw, params=None, earlier=(), *, window=None, allow_later=False, key=None, definition=None,
                     after_reading=None):
    if after_reading is not None:  # the run starts its kernel there (a stand-in here)
        after_reading()

    def digest(path):
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    window = window or helpers.spine.Window()
    name = (digest(raw), params, tuple(digest(e) for e in earlier), window, allow_later, key, id(definition))
    if name not in REMEMBERED:
        REMEMBERED[name] = REAL_AUDIT(raw, params, earlier, window=window, allow_later=allow_later, key=key,
                                      definition=definition)
    return REMEMBERED[name]


def rendered(processed: Path, reports: Path, folders, kernel, definition=None) -> None:
    """The reports as a function of the processed folder, as notebook 04 makes them."""
    digest = hashlib.sha256()
    for path in sorted(p for p in processed.rglob("*") if p.is_file()):
        digest.update(path.relative_to(processed).as_posix().encode() + path.read_bytes())
    reports.mkdir(parents=True, exist_ok=True)
    for version in pipeline.VERSIONS:
        (reports / folders.report_path(version).name).write_text(f"{version} {digest.hexdigest()}")


class NoKernel:
    def launch(self) -> None:
        pass


@contextmanager
def project(root: Path):
    """config pointed at a fresh project folder, with the two stand-ins."""
    key = root / "test.key"
    key.write_text(KEY.hex())
    with mock.patch.multiple(config, DATA_PROCESSED=root / "processed", REPORTS=root / "reports",
                             BUILD=root / "build", PSEUDONYM_KEY_FILE=key), \
            mock.patch.object(helpers.spine, "audit", remembered_audit), \
            mock.patch.object(pipeline, "render_reports", rendered), \
            mock.patch.object(pipeline, "run_kernel", lambda: _no_kernel()), \
            mock.patch.object(pipeline, "code_version_of_run", lambda: "{}"), \
            mock.patch.object(pipeline, "progress", lambda message: None):
        yield


@contextmanager
def _no_kernel():
    yield NoKernel()


def request(raws, audit: str, days: int, with_earlier: bool) -> pipeline.RunRequest:
    earlier = [raws["earlier"]] if audit == "later" and with_earlier else []
    return pipeline.RunRequest(raw=raws[audit], params=Parameters(icpc_working_days=days), earlier=earlier)


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} \
        if folder.exists() else {}


def outputs_of(folders) -> dict:
    """An audit's outputs as the board and analysts see them: all but the manifest's time of making."""
    processed = {k: v for k, v in tree(folders.processed).items() if k != MANIFEST}
    return {"processed": processed, "reports": tree(folders.reports),
            "recorded": read_manifest(folders.processed).get("outputs")}


def assert_no_report_beside_other_data(root: Path) -> None:
    for reports in (root / "reports").glob("*"):
        recorded = read_manifest(root / "processed" / reports.name).get("outputs")
        if recorded is not None and reports.name[0] != ".":
            # Each report present is the one the data beside it made (one deleted by hand is simply missing).
            shown = {f"reports/{k}": hashlib.sha256(v).hexdigest() for k, v in tree(reports).items()}
            assert shown.items() <= {k: v for k, v in recorded.items() if k.startswith("reports/")}.items()


actions = st.lists(st.one_of(
    st.tuples(st.just("run"), st.sampled_from(AUDITS), st.sampled_from([15, 20]), st.booleans()),
    st.tuples(st.just("notebook"), st.sampled_from(AUDITS), st.sampled_from([15, 20]),
              st.sampled_from(["", "processed", "elsewhere"])),
    st.tuples(st.just("delete"), st.sampled_from(AUDITS), st.integers(0, 40), st.none()),
    st.tuples(st.just("edit"), st.sampled_from(AUDITS), st.integers(0, 40), st.none()),
    st.tuples(st.just("interrupt"), st.sampled_from(AUDITS), st.sampled_from([15, 20]), st.integers(0, 5)),
), min_size=1, max_size=7)


# At least 30 sequences per CI run (issue 19); fewer in a make test on a laptop.
@settings(max_examples=examples(dev=10, ci=30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
@example([("run", "earlier", 15, False), ("delete", "earlier", 25, None)])  # a report deleted by hand (CI, 3.13)
@example([("run", "earlier", 15, False), ("edit", "earlier", 25, None), ("interrupt", "earlier", 20, 2)])
@example([("run", "earlier", 20, False), ("delete", "earlier", 0, None), ("notebook", "earlier", 15, "")])  # CI
def test_any_sequence_of_actions_then_a_run_gives_a_fresh_runs_outputs(raws, sequence):
    with tempfile.TemporaryDirectory() as temporary, project(Path(temporary)):
        root = Path(temporary)
        last: dict[str, pipeline.RunRequest] = {}
        tampered = False  # an output deleted or edited by hand so far in this sequence
        for action, audit, value, extra in sequence:
            folders = {name: audit_folders.folders_for(helpers.spine.audit(raws[name], Parameters(), key=KEY)
                                                       .audit_id) for name in AUDITS}
            target = folders[audit]
            if action == "run":
                others = {n: outputs_of(f) for n, f in folders.items() if n != audit}
                last[audit] = request(raws, audit, value, extra)
                pipeline.report(last[audit])
                assert {n: outputs_of(folders[n]) for n in others} == others  # another audit is never touched
            elif action == "notebook" and (target.processed / "findings.csv").exists():
                before = tree(target.processed)
                output = {"": "", "processed": str(target.processed), "elsewhere": str(root / "mine")}[extra]
                try:
                    loaders.findings_folder(target.processed, output, (), icpc_working_days=value)
                except AuditInputError as refused:
                    assert (extra == "processed" and "may not write inside data/processed" in str(refused)
                            or tampered and "missing from this audit's folder" in str(refused)), refused
                assert tree(target.processed) == before
            elif action in ("delete", "edit"):
                files = sorted(p for folder in (target.processed, target.reports) if folder.exists()
                               for p in folder.rglob("*") if p.is_file())
                if files:
                    chosen = files[value % len(files)]
                    chosen.unlink() if action == "delete" else chosen.write_bytes(chosen.read_bytes() + b"x")
            elif action == "interrupt":
                calls = []

                def stopped(source, destination, _calls=calls, _at=extra, _replace=audit_folders.os.replace):
                    _calls.append(source)
                    if len(_calls) > _at:
                        raise KeyboardInterrupt
                    _replace(source, destination)
                with mock.patch.object(audit_folders.os, "replace", stopped):
                    try:
                        pipeline.report(request(raws, audit, value, False))
                    except KeyboardInterrupt:
                        pass
                last.setdefault(audit, request(raws, audit, value, False))
            tampered = tampered or action in ("delete", "edit")
            if action == "run" or (action == "interrupt" and not tampered):  # an analyst's own edit is theirs
                assert_no_report_beside_other_data(root)
        for asked in last.values():
            folders = pipeline.report(asked)
            assert pipeline.up_to_date(asked.inputs())[0] == folders  # and the run after it is a no-op
            mine = outputs_of(folders)
            with tempfile.TemporaryDirectory() as fresh, project(Path(fresh)):
                assert outputs_of(pipeline.report(asked)) == mine
