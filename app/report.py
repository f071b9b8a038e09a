"""The pilot report: what the history says about how Frontdesk is used, per guidance version and per week.

Read from history.db with a read-only connection; no question, draft or comment text is read, so
neither the report nor its CSV can hold personal data. Every figure is per draft: drafts made,
answered or "No guidance found", the draft's mode, whether and how it left (copied, printed, saved),
the share of its text staff changed before it left, the time from the question to it leaving, and
the feedback given on it.
"""

from __future__ import annotations

import bisect
import csv
import io
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from knowledge.errors import FrontdeskError
from knowledge.files import write_file_atomically

MODES = ("approved", "extractive", "generated")
# Feedback as the report counts it: "helpful", then each reason "not helpful" was given, then the rest.
FEEDBACK_KINDS = ("helpful", "wrong_page", "factually_wrong", "needs_more_detail", "out_of_date", "links_not_right",
                  "nothing_found", "other", "not_helpful_no_reason", "guidance_wrong")
FEEDBACK_LABELS = {
    "helpful": "Helpful", "wrong_page": "Wrong page", "factually_wrong": "Factually wrong", "needs_more_detail": "Needs more detail",
    "out_of_date": "Out of date", "links_not_right": "Links not right", "nothing_found": "Nothing found", "other": "Other",
    "not_helpful_no_reason": "Not helpful (no reason)", "guidance_wrong": "Guidance wrong",
}
UNCHANGED = 0.005  # a draft whose text changed by less than half a percent left as written (a stray space)


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """One draft as the report sees it: no text, only what happened to it."""

    day: date
    week: str  # ISO week, "2026-W09"
    bundle: str  # "jobcentre-guidance v12"
    mode: str
    no_guidance: bool
    out_action: str  # "copied", "printed", "saved", "saved_pdf", or "" when it never left
    changed_share: float | None
    seconds_to_out: float | None
    feedback: tuple[str, ...]  # FEEDBACK_KINDS given on it


@dataclass(frozen=True, slots=True)
class Figures:
    """The report's figures for one group of drafts (all of them, one guidance version, or one week)."""

    label: str
    drafts: int
    answered: int
    no_guidance: int
    modes: tuple[tuple[str, int], ...]  # (mode, drafts) for MODES
    left: int  # copied, printed or saved
    unchanged: int  # of those, left with (almost) no change
    changed_mean: float | None
    changed_median: float | None
    seconds_median: float | None
    seconds_p25: float | None
    seconds_p75: float | None
    feedback: tuple[tuple[str, int], ...]  # (FEEDBACK_KINDS, count)

    def mode_count(self, mode: str) -> int:
        return dict(self.modes).get(mode, 0)


@dataclass(frozen=True, slots=True)
class PilotReport:
    first_day: date | None
    last_day: date | None
    since: date | None
    retention_days: int | None
    created_at: str
    overall: Figures
    by_bundle: tuple[Figures, ...]
    by_week: tuple[Figures, ...]
    change_buckets: tuple[tuple[str, int], ...] = ()  # drafts that left, by share of text changed

    def period(self) -> str:
        """Which period the report covers, in words, with the history's retention."""
        if self.first_day is None:
            covered = "No drafts are recorded" + (f" since {long_date(self.since)}" if self.since else "") + "."
        else:
            covered = f"Drafts from {long_date(self.first_day)} to {long_date(self.last_day)}" + (
                f" (asked for: since {long_date(self.since)})" if self.since else "") + "."
        if self.retention_days is not None:
            covered += f" History keeps drafts for {self.retention_days} days on this computer, so nothing older can be counted."
        return covered


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def connect_history(history_db: Path) -> sqlite3.Connection:
    """A read-only connection to a history file, with a clear error when it is missing, foreign or too old."""
    history_db = Path(history_db)
    if not history_db.exists():
        raise FrontdeskError(f"{history_db}: no history yet. Draft some answers in the app first, or give the right --history file.")
    try:
        conn = sqlite3.connect(f"{history_db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(drafts)")}
    except sqlite3.DatabaseError as exc:
        raise FrontdeskError(f"{history_db}: not a Frontdesk history file, or damaged ({exc}).") from exc
    if not columns:
        conn.close()
        raise FrontdeskError(f"{history_db}: not a Frontdesk history file (no drafts table).")
    if "out_at" not in columns:
        conn.close()
        raise FrontdeskError(f"{history_db}: written by an older Frontdesk. Open the app once to update it, then run the report again.")
    return conn


FEEDBACK_KIND = "CASE WHEN f.rating = 'not_helpful' THEN coalesce(nullif(f.reason, ''), 'not_helpful_no_reason') ELSE f.rating END"


def read_records(history_db: Path, since: date | None = None) -> list[DraftRecord]:
    """Every draft in the history since `since`, without its text, for the anonymous CSV."""
    conn = connect_history(history_db)
    try:
        feedback: dict[int, list[str]] = defaultdict(list)
        for draft_id, kind in conn.execute(
                f"SELECT f.draft_id, {FEEDBACK_KIND} FROM feedback f JOIN drafts d ON d.id = f.draft_id WHERE d.created_at >= ? ORDER BY f.id",
                (since.isoformat() if since else "",)):
            feedback[draft_id].append(kind)
        rows = conn.execute(
            "SELECT id, substr(created_at, 1, 10), bundle_id, bundle_version, mode, no_guidance, out_action, changed_share, seconds_to_out "
            "FROM drafts WHERE created_at >= ? ORDER BY created_at, id", (since.isoformat() if since else "",)).fetchall()
    except sqlite3.DatabaseError as exc:
        raise FrontdeskError(f"{history_db}: not a Frontdesk history file, or damaged ({exc}).") from exc
    finally:
        conn.close()
    days: dict[str, tuple[date, str]] = {}
    bundles: dict[tuple[str, int], str] = {}
    records = []
    none = ()
    for draft_id, day, bundle_id, version, mode, no_guidance, out_action, share, seconds in rows:
        if day not in days:
            d = date.fromisoformat(day)
            year, week, _ = d.isocalendar()
            days[day] = (d, f"{year}-W{week:02d}")
        if (bundle_id, version) not in bundles:
            bundles[bundle_id, version] = bundle_label(bundle_id, version)
        records.append(DraftRecord(*days[day], bundles[bundle_id, version], mode, bool(no_guidance), out_action or "",
                                   share, seconds, tuple(feedback[draft_id]) if draft_id in feedback else none))
    return records


def bundle_label(bundle_id: str, version: int) -> str:
    return f"{bundle_id or 'unknown guidance'} v{version}"


CHANGE_BUCKETS = (("unchanged", 0.0, UNCHANGED), ("under 10%", UNCHANGED, 0.10), ("10 to 25%", 0.10, 0.25),
                  ("25 to 50%", 0.25, 0.50), ("over 50%", 0.50, 1.01))


def quantile(sorted_values: list[float], q: float) -> float | None:
    """The q-quantile by linear interpolation (statistics.quantiles needs two values; this takes one)."""
    if not sorted_values:
        return None
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass
class _Group:
    """Running totals for one group of drafts while the report is counted."""

    drafts: int = 0
    no_guidance: int = 0
    left: int = 0
    modes: Counter = None
    feedback: Counter = None
    shares: list = None
    seconds: list = None

    def __post_init__(self):
        self.modes, self.feedback, self.shares, self.seconds = Counter(), Counter(), [], []

    def figures(self, label: str) -> Figures:
        self.shares.sort()
        self.seconds.sort()
        return Figures(
            label=label, drafts=self.drafts, answered=self.drafts - self.no_guidance, no_guidance=self.no_guidance,
            modes=tuple((m, self.modes.get(m, 0)) for m in MODES), left=self.left,
            unchanged=bisect.bisect_left(self.shares, UNCHANGED),
            changed_mean=sum(self.shares) / len(self.shares) if self.shares else None, changed_median=quantile(self.shares, 0.5),
            seconds_median=quantile(self.seconds, 0.5), seconds_p25=quantile(self.seconds, 0.25),
            seconds_p75=quantile(self.seconds, 0.75), feedback=tuple((k, self.feedback.get(k, 0)) for k in FEEDBACK_KINDS),
        )


def build_report(history_db: Path, since: date | None = None, retention_days: int | None = None) -> PilotReport:
    """The pilot report over the history at `history_db`, from `since` on (all of it when None).

    SQLite counts drafts per day, guidance version, mode and outcome (a few hundred rows, not one per
    draft); only the drafts that left bring their changed share and time back, as bare numbers. A
    Python object per draft, or SQL window functions for the quartiles, each took several times longer.
    """
    start = since.isoformat() if since else ""
    conn = connect_history(history_db)
    try:
        counts = conn.execute(
            "SELECT substr(created_at, 1, 10), bundle_id, bundle_version, mode, no_guidance, out_action != '', count(*) FROM drafts "
            "WHERE created_at >= ? GROUP BY 1, 2, 3, 4, 5, 6", (start,)).fetchall()
        left = conn.execute("SELECT substr(created_at, 1, 10), bundle_id, bundle_version, changed_share, seconds_to_out FROM drafts "
                            "WHERE created_at >= ? AND out_action != ''", (start,)).fetchall()
        feedback = conn.execute(
            f"SELECT substr(d.created_at, 1, 10), d.bundle_id, d.bundle_version, {FEEDBACK_KIND}, count(*) FROM feedback f "
            "JOIN drafts d ON d.id = f.draft_id WHERE d.created_at >= ? GROUP BY 1, 2, 3, 4", (start,)).fetchall()
    except sqlite3.DatabaseError as exc:
        raise FrontdeskError(f"{history_db}: not a Frontdesk history file, or damaged ({exc}).") from exc
    finally:
        conn.close()
    weeks: dict[str, str] = {}
    labels: dict[tuple[str, int], str] = {}

    def groups_of(day: str, bundle_id: str, version: int) -> tuple[_Group, _Group, _Group]:
        if day not in weeks:
            year, week, _ = date.fromisoformat(day).isocalendar()
            weeks[day] = f"{year}-W{week:02d}"
        if (bundle_id, version) not in labels:
            labels[bundle_id, version] = bundle_label(bundle_id, version)
        return overall, by_bundle[labels[bundle_id, version]], by_week[weeks[day]]

    overall = _Group()
    by_bundle: dict[str, _Group] = defaultdict(_Group)
    by_week: dict[str, _Group] = defaultdict(_Group)
    for day, bundle_id, version, mode, no_guidance, went, n in counts:
        for g in groups_of(day, bundle_id, version):
            g.drafts += n
            g.modes[mode] += n
            g.no_guidance += n if no_guidance else 0
            g.left += n if went else 0
    for day, bundle_id, version, share, seconds in left:
        for g in groups_of(day, bundle_id, version):
            if share is not None:
                g.shares.append(share)
            if seconds is not None:
                g.seconds.append(seconds)
    for day, bundle_id, version, kind, n in feedback:
        for g in groups_of(day, bundle_id, version):
            g.feedback[kind] += n
    days = sorted(weeks)
    shares = overall.shares
    return PilotReport(
        first_day=date.fromisoformat(days[0]) if days else None, last_day=date.fromisoformat(days[-1]) if days else None,
        since=since, retention_days=retention_days, created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        overall=overall.figures("All drafts"),
        by_bundle=tuple(by_bundle[b].figures(b) for b in sorted(by_bundle)),
        by_week=tuple(by_week[w].figures(w) for w in sorted(by_week)),
        change_buckets=tuple((name, bisect.bisect_left(shares, hi) - bisect.bisect_left(shares, lo)) for name, lo, hi in CHANGE_BUCKETS),
    )


CSV_COLUMNS = ("date", "week", "guidance", "mode", "no_guidance", "left_as", "changed_share", "seconds_to_out", "feedback")


def report_csv(records: list[DraftRecord]) -> str:
    """One anonymous row per draft (no question, no text, no comment), so an evaluator can combine laptops."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows((r.day.isoformat(), r.week, r.bundle, r.mode, int(r.no_guidance), r.out_action,
                      "" if r.changed_share is None else f"{r.changed_share:.4f}",
                      "" if r.seconds_to_out is None else f"{r.seconds_to_out:.1f}", " ".join(r.feedback)) for r in records)
    return buffer.getvalue()


def write_report_csv(history_db: Path, output: Path, since: date | None = None) -> tuple[Path, int]:
    """Write the anonymous per-draft CSV of the history since `since`; returns where, and how many rows."""
    records = read_records(history_db, since)
    return write_file_atomically(Path(output), report_csv(records)), len(records)


def parse_since(value: str | None) -> date | None:
    """A --since value as a date, with an error that says how to write one."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise FrontdeskError(f"--since {value!r} is not a date. Write it as YYYY-MM-DD, for example 2026-03-01.") from exc


def describe(report: PilotReport) -> str:
    """The report as text for a terminal."""
    o = report.overall
    lines = [report.period(), ""]
    lines.append(f"{o.drafts} drafts: {o.answered} answered, {o.no_guidance} 'No guidance found'"
                 + (f" ({o.no_guidance / o.drafts:.0%})" if o.drafts else ""))
    lines.append("Mode: " + ", ".join(f"{m} {n}" for m, n in o.modes))
    if o.left:
        lines.append(f"Left the app (copied, printed or saved): {o.left}; unchanged {o.unchanged} ({o.unchanged / o.left:.0%}); "
                     f"text changed: median {o.changed_median:.0%}, mean {o.changed_mean:.0%}")
    if o.seconds_median is not None:
        lines.append(f"Question to copy or print: median {o.seconds_median:.0f} s (middle half {o.seconds_p25:.0f} to {o.seconds_p75:.0f} s)")
    given = [(FEEDBACK_LABELS[k], n) for k, n in o.feedback if n]
    lines.append("Feedback: " + (", ".join(f"{label} {n}" for label, n in given) if given else "none"))
    for title, groups in (("By guidance version", report.by_bundle), ("By week", report.by_week)):
        lines += ["", title]
        for g in groups:
            lines.append(f"  {g.label:<28} {g.drafts:>6} drafts, {g.no_guidance:>5} no guidance, approved {g.mode_count('approved')}, "
                         f"left {g.left}" + (f", median change {g.changed_median:.0%}" if g.changed_median is not None else ""))
    return "\n".join(lines)
