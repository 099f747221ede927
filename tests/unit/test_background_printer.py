"""`BackgroundPrinter`: the run's PDFs printed on a thread of their own while the notebooks render."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.report import pdf


def test_without_chromium_nothing_is_printed_and_finish_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    printer = pdf.BackgroundPrinter()
    printer.print_later(tmp_path / "report.html", tmp_path / "report.pdf", "A title")
    assert printer.finish() == []
    assert not (tmp_path / "report.pdf").exists()


def test_every_job_reaches_the_printer_in_order_and_finish_waits_for_the_last(monkeypatch, tmp_path):
    seen = []

    def fake_print_pdfs(jobs):
        for html_path, pdf_path, title in jobs:  # read as they come, as the browser does
            seen.append((html_path.name, title))
            pdf_path.write_bytes(b"%PDF")
        return [tmp_path / name for name, _ in seen]

    monkeypatch.setattr(pdf, "print_pdfs", fake_print_pdfs)
    printer = pdf.BackgroundPrinter()
    for name in ("briefing", "board", "published"):
        printer.print_later(tmp_path / f"{name}.html", tmp_path / f"{name}.pdf", f"Title of {name}")
    assert printer.finish() == [tmp_path / "briefing.html", tmp_path / "board.html", tmp_path / "published.html"]
    assert seen == [("briefing.html", "Title of briefing"), ("board.html", "Title of board"),
                    ("published.html", "Title of published")]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["board.pdf", "briefing.pdf", "published.pdf"]


def test_an_error_while_printing_is_raised_by_finish_and_left_alone_by_abandon(monkeypatch, tmp_path):
    def failing_print_pdfs(jobs):
        next(iter(jobs))
        raise RuntimeError("the browser crashed")

    monkeypatch.setattr(pdf, "print_pdfs", failing_print_pdfs)
    printer = pdf.BackgroundPrinter()
    printer.print_later(tmp_path / "board.html", tmp_path / "board.pdf", "A title")
    with pytest.raises(RuntimeError, match="the browser crashed"):
        printer.finish()

    abandoned = pdf.BackgroundPrinter()
    abandoned.print_later(tmp_path / "board.html", tmp_path / "board.pdf", "A title")
    abandoned.abandon()  # the run failed for its own reason: the printer's error is not raised over it


def test_a_real_browser_prints_each_page_it_is_given(tmp_path):
    if pdf.chromium_path() is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (REQUIRE_BROWSER is set): install Debian's chromium")
        pytest.skip("Chromium not found: install Debian's chromium")
    printer = pdf.BackgroundPrinter()
    for name in ("one", "two"):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!doctype html><html lang=en><title>{name}</title><p>Page {name}</p>")
        printer.print_later(page, tmp_path / f"{name}.pdf", name)
    written = printer.finish()
    assert written == [tmp_path / "one.pdf", tmp_path / "two.pdf"]
    assert all(Path(p).read_bytes().startswith(b"%PDF") for p in written)


@pytest.mark.parametrize("chromium", [True, False])
def test_a_document_given_as_its_writer_is_written_on_the_printers_thread_with_or_without_chromium(
        monkeypatch, tmp_path, chromium):
    import threading

    written_on = []

    def write_briefing():
        written_on.append(threading.current_thread().name)
        path = tmp_path / "briefing.html"
        path.write_text("<!doctype html><title>b</title>")
        return path

    def fake_print_pdfs(jobs):
        if not chromium:
            return []
        return [pdf_path for _, pdf_path, _ in jobs]

    monkeypatch.setattr(pdf, "print_pdfs", fake_print_pdfs)
    printer = pdf.BackgroundPrinter()
    printer.print_later(write_briefing, tmp_path / "briefing.pdf", "Learning briefing")
    assert printer.finish() == ([tmp_path / "briefing.pdf"] if chromium else [])
    assert (tmp_path / "briefing.html").exists() and written_on == ["pdf-printer"]


def test_a_run_exports_its_reports_before_moving_the_executed_notebooks_however_slow_the_export(
        monkeypatch, tmp_path, demo_run):
    """The exports, on the printer's thread, read the executed notebooks in the staging folder: the run waits
    for them before moving the notebooks to build/notebooks/, even when notebooks 01-03 finish first."""
    import shutil
    import time

    from helpers import config
    from helpers.report import export
    from helpers.run import pipeline
    from helpers.run.audit_folders import AuditFolders

    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    monkeypatch.setattr(config, "BUILD", tmp_path / "build")
    demo_id = next((demo_run / "processed").iterdir()).name
    executed_by_the_demo = demo_run / "build" / "notebooks" / demo_id
    staging = tmp_path / "staging"
    processed = staging / "processed"
    shutil.copytree(demo_run / "processed" / demo_id, processed)

    def run_notebook_at_once(name, parameters, step, executed, kernel):
        executed.parent.mkdir(parents=True, exist_ok=True)
        kept = name if name != "04_report.ipynb" else f"04_report_{parameters['version']}.ipynb"
        return Path(shutil.copy(executed_by_the_demo / kept, executed))

    real_export = export.export_report

    def slow_export(*args, **kwargs):
        time.sleep(0.5)  # notebooks 01-03 (here instant) end before the published version is exported
        return real_export(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_notebook", run_notebook_at_once)
    monkeypatch.setattr(export, "export_report", slow_export)
    folders = AuditFolders(demo_id, tmp_path / "processed", tmp_path / "reports")
    pipeline.render_reports(processed, staging / "reports", folders, kernel=None)
    for version in pipeline.VERSIONS:
        assert (staging / "reports" / folders.report_path(version).name).read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in (tmp_path / "build" / "notebooks" / demo_id).iterdir()) == [
        "01_clean.ipynb", "02_findings.ipynb", "03_secondary_findings.ipynb", "04_report_board.ipynb",
        "04_report_published.ipynb"]
