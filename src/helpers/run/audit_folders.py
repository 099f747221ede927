"""One audit, one folder: `data/processed/<audit-id>/` and `reports/<audit-id>/`.

The audit id is readable and unique per audit: the title's slug plus the
terms-of-reference window, or the workbook's file name when there is no
Audit sheet title. A run of an audit builds its outputs in a staging folder
and then replaces that audit's folders as a whole, so no file of an earlier
run survives beside the new ones and other audits' folders are never touched.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .. import config

# Long enough to read, short enough for any filesystem once the window is added.
SLUG_LIMIT = 60
DEFAULT_TITLE = "Multi-agency audit of child protection conferences"
CP_DEFINITION_NAME = "cp-conferences"  # its audits' ids are as they were before definitions


def slug(text: str, limit: int = SLUG_LIMIT) -> str:
    """Lower-case ASCII words joined by `-`; a longer text is cut at a word and keeps a hash of the whole,
    so two titles that share their first words never share a slug."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    whole = "-".join(words)
    if len(whole) <= limit:
        return whole
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    cut = ""
    for word in words:
        if len(cut) + len(word) + 1 > limit - len(digest) - 1:
            break
        cut = f"{cut}-{word}" if cut else word
    return f"{cut}-{digest}" if cut else digest


def audit_id(audit: dict, raw_name: str, definition=None) -> str:
    """`<title-slug>-<window start>-to-<window end>`; the workbook's file name stands in for a missing title.

    An audit of another definition than the child protection conference audit's starts with the definition's
    name (`neglect-...`), so two definitions' audits never share a folder, and its own title is its default.
    """
    title = (audit.get("audit_title") or "").strip()
    other = definition is not None and definition.name != CP_DEFINITION_NAME
    default = definition.title if other else DEFAULT_TITLE
    base = slug(title) if title and title != default else ""
    base = base or slug(Path(raw_name).stem) or "audit"
    if other:
        base = f"{definition.name}-{base}"
    start, end = audit.get("window_start"), audit.get("window_end")
    if start or end:
        base += f"-{start or 'open'}-to-{end or 'open'}"
    return base


@dataclass(frozen=True)
class AuditFolders:
    """Where one audit's outputs live."""
    audit_id: str
    processed_root: Path
    reports_root: Path

    @property
    def processed(self) -> Path:
        return self.processed_root / self.audit_id

    @property
    def reports(self) -> Path:
        return self.reports_root / self.audit_id

    def report_path(self, version: str) -> Path:
        """The board report, its published version or the practitioner briefing (`board`, `published`,
        `briefing`)."""
        return self.reports / (self.audit_id + ("" if version == "board" else f"-{version}") + ".html")


def folders_for(audit_id_: str) -> AuditFolders:
    return AuditFolders(audit_id_, Path(config.DATA_PROCESSED), Path(config.REPORTS))


def aside(target: Path) -> Path:
    return target.with_name(f".{target.name}.replaced")


def replace_audit(folders: AuditFolders, staged_processed: Path, staged_reports: Path) -> None:
    """Replace both of one audit's folders with the staged ones, as a whole.

    Both old folders are moved aside before either new one is moved in, so a run stopped at any point leaves
    the previous complete outputs, or new data without its reports (no report at all), never a report beside
    data it was not made from; the manifest then shows the next run what is missing.
    """
    pairs = [(staged_processed, folders.processed), (staged_reports, folders.reports)]
    for _, target in pairs:
        target.parent.mkdir(parents=True, exist_ok=True)
        if aside(target).exists():
            shutil.rmtree(aside(target))
    for _, target in pairs:
        if target.exists():
            os.replace(target, aside(target))
    for staged, target in pairs:
        os.replace(staged, target)
    for _, target in pairs:
        if aside(target).exists():
            shutil.rmtree(aside(target))


def known_audits() -> list[str]:
    """Audit ids with outputs, from both roots."""
    ids = set()
    for root in (Path(config.DATA_PROCESSED), Path(config.REPORTS)):
        if root.exists():
            ids |= {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(ids)


def remove_audit(audit_id_: str) -> list[Path]:
    """Delete one audit's processed data and reports (never data/raw)."""
    folders = folders_for(audit_id_)
    removed = []
    for folder in (folders.processed, folders.reports):
        if folder.exists():
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
