"""Benchmark of the reader and cleaning stage on the workbooks that used to hurt (issue 8).

1. A workbook formatted down to row 1,048,576 (a fill and border on every cell of seven columns, as when a
   whole column range is formatted): target under 5 s and 500 MB to clean.
2. 100,000 cases with 5 agency returns each: target well under 30 s to clean and 1.5 GB overall.

Each clean runs in a fresh process, so its peak memory (maximum resident set) is its own.

    .venv/bin/python benchmarks/bench_reader.py [--cases 100000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CASE_COLUMNS, RETURN_COLUMNS, case_row, return_row, write_workbook  # noqa: E402

EXCEL_LAST_ROW = 1_048_576
FORMATTED_COLUMNS = "ABCDEFG"
AGENCIES = ("Children's social care", "Police", "Health visitor", "School", "GP")


def formatted_to_the_bottom(path: Path) -> Path:
    """A small valid workbook whose Cases sheet has styled empty cells in seven columns down to row 1,048,576."""
    cases = [case_row(f"A{n}") for n in range(50)]
    returns = [return_row(f"A{n}", agency) for n in range(50) for agency in AGENCIES[:3]]
    plain = write_workbook(path.with_suffix(".plain.xlsx"), cases, returns,
                           {"window_start": "01/04/2025", "window_end": "30/09/2025"})
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = _add_fill_style(data)
            if item.filename == "xl/worksheets/sheet1.xml":
                with target.open(item.filename, "w", force_zip64=True) as stream:
                    _write_formatted_sheet(data, stream, first_empty_row=len(cases) + 2)
                continue
            target.writestr(item, data)
    plain.unlink()
    return path


def _add_fill_style(styles: bytes) -> bytes:
    """One more cell style (index n) with a solid fill; the formatted cells use it."""
    styles = styles.replace(b"</fills>", b'<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/>'
                                         b"</patternFill></fill></fills>")
    styles = re.sub(rb'<fills count="(\d+)"', lambda m: b'<fills count="%d"' % (int(m.group(1)) + 1), styles)
    fill_id = styles.count(b"<fill>") + styles.count(b"<fill/>") - 1
    xf = b'<xf numFmtId="0" fontId="0" fillId="%d" borderId="0" applyFill="1"/></cellXfs>' % fill_id
    styles = styles.replace(b"</cellXfs>", xf)
    return re.sub(rb'<cellXfs count="(\d+)"', lambda m: b'<cellXfs count="%d"' % (int(m.group(1)) + 1), styles)


def _write_formatted_sheet(sheet: bytes, stream, first_empty_row: int) -> None:
    head, tail = sheet.split(b"</sheetData>")
    style = b"1"
    stream.write(re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:AA%d"' % EXCEL_LAST_ROW, head))
    block = []
    for row in range(first_empty_row, EXCEL_LAST_ROW + 1):
        cells = b"".join(b'<c r="%s%d" s="%s"/>' % (c.encode(), row, style) for c in FORMATTED_COLUMNS)
        block.append(b'<row r="%d">%s</row>' % (row, cells))
        if len(block) == 20000:
            stream.write(b"".join(block))
            block = []
    stream.write(b"".join(block) + b"</sheetData>" + tail)


def many_cases(path: Path, n_cases: int, returns_per_case: int = 5) -> Path:
    """n_cases cases and returns_per_case returns each, written streaming (xlsxwriter constant memory)."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    cases, returns = book.add_worksheet("Cases"), book.add_worksheet("Agency returns")
    cases.write_row(0, 0, CASE_COLUMNS)
    returns.write_row(0, 0, RETURN_COLUMNS)
    answers = ("Yes", "No", "Partly", "N/A", "")
    for n in range(n_cases):
        row = case_row(f"R{n:06d}", plan_smart=answers[n % 5], icpc_date=f"{1 + n % 28:02d}/05/2025")
        cases.write_row(n + 1, 0, [row[c] for c in CASE_COLUMNS])
    line = 1
    for n in range(n_cases):
        for agency in AGENCIES[:returns_per_case]:
            r = return_row(f"R{n:06d}", agency, attended=answers[n % 2])
            returns.write_row(line, 0, [r[c] for c in RETURN_COLUMNS])
            line += 1
    audit = book.add_worksheet("Audit")
    for number, pair in enumerate((("field", "value"), ("window_start", "01/04/2025"), ("window_end", "30/09/2025"))):
        audit.write_row(number, 0, pair)
    book.close()
    return path


CLEAN_AND_MEASURE = """
import json, resource, sys, time
t0 = time.perf_counter()
from helpers.clean.cleaning import clean_workbook
t1 = time.perf_counter()
cleaned = clean_workbook(sys.argv[1], bytes(32))
t2 = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"import_s": t1 - t0, "clean_s": t2 - t1, "peak_mb": peak_mb,
                  "cases": len(cleaned.cases), "returns": len(cleaned.agency_returns)}))
"""


def clean_in_fresh_process(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CLEAN_AND_MEASURE, str(path)], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the workbooks here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        formatted = formatted_to_the_bottom(folder / "formatted-to-the-bottom.xlsx")
        built_in = time.perf_counter() - started
        print(f"built {formatted.name} ({formatted.stat().st_size / 1e6:.1f} MB) in {built_in:.0f} s")
        figures = clean_in_fresh_process(formatted)
        print(f"formatted to row {EXCEL_LAST_ROW:,}: clean {figures['clean_s']:.2f} s, "
              f"peak {figures['peak_mb']:.0f} MB ({figures['cases']} cases, {figures['returns']} returns; "
              "target < 5 s and < 500 MB)")
        started = time.perf_counter()
        large = many_cases(folder / "many-cases.xlsx", args.cases)
        print(f"built {large.name} ({large.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
        figures = clean_in_fresh_process(large)
        print(f"{args.cases:,} cases x 5 returns: clean {figures['clean_s']:.2f} s, peak {figures['peak_mb']:.0f} MB "
              f"({figures['cases']} cases, {figures['returns']} returns; target well under 30 s, < 1.5 GB)")


if __name__ == "__main__":
    main()
