"""The pilot report as one HTML page: charts drawn here as inline SVG (no network, no chart library), each with its table.

`report_html(report)` gives a page a browser opens offline. The window's Report view cannot show
inline SVG in a QTextBrowser, so `chart_svgs(report)` gives the same charts by name and
`report_html(report, image=...)` refers to them as images the view renders itself.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable, Sequence

from app.report import FEEDBACK_LABELS, Figures, PilotReport
from knowledge.files import write_file_atomically

# Colours that stay apart for the common colour-vision differences (Okabe and Ito), and in greyscale by order.
COLOURS = {"answered": "#0072B2", "no_guidance": "#E69F00", "approved": "#009E73", "extractive": "#0072B2",
           "generated": "#CC79A7", "bar": "#0072B2", "range": "#56B4E9", "median": "#000000"}
WIDTH, HEIGHT = 560, 220
LEFT, BOTTOM, TOP = 44, 36, 30


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def short(label: str) -> str:
    """A week's label under the axis: "W09" for "2026-W09" (the table beside has the year)."""
    return label.split("-")[-1] if "-W" in label else label[-8:]


def chart_frame(title: str, height: int, peak_text: str) -> list[str]:
    """The opening of a chart: the svg element, its title, the axis and the 0 and peak labels."""
    plot_h = HEIGHT - BOTTOM - TOP
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" role="img" aria-label="{_esc(title)}" '
            f'font-family="sans-serif" font-size="11"><title>{_esc(title)}</title>',
            f'<text x="0" y="14" font-size="13" font-weight="bold">{_esc(title)}</text>',
            f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" stroke="#333"/>',
            f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{peak_text}</text>',
            f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>']


def stacked_bars_svg(title: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]]) -> str:
    """Vertical bars, one per label, each stacked from `series` (name, colour, values), with a legend."""
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    peak = max(totals or [0]) or 1
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    step = plot_w / max(1, len(labels))
    bar = max(2.0, min(48.0, step * 0.7))
    parts = chart_frame(title, HEIGHT + 22, f"{peak:g}")
    every = max(1, len(labels) // 12)  # at most about twelve labels under the axis stay readable
    for i, label in enumerate(labels):
        x = LEFT + i * step + (step - bar) / 2
        y = TOP + plot_h
        for name, colour, values in series:
            h = plot_h * values[i] / peak
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                             f'<title>{_esc(label)}: {_esc(name)} {values[i]:g}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle">{_esc(short(label))}</text>')
    x = LEFT
    for name, colour, _ in series:
        parts.append(f'<rect x="{x}" y="{HEIGHT + 6}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT + 15}">{_esc(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def ranges_svg(title: str, labels: Sequence[str], ranges: Sequence[tuple[float | None, float | None, float | None]], unit: str) -> str:
    """For each label a bar from the lower to the upper quartile with the median marked: the spread at a glance."""
    peak = max([hi for _, _, hi in ranges if hi is not None] or [0]) or 1
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    step = plot_w / max(1, len(labels))
    bar = max(2.0, min(36.0, step * 0.5))
    parts = chart_frame(title, HEIGHT, f"{peak:.0f}{unit}")
    every = max(1, len(labels) // 12)
    for i, (label, (lo, mid, hi)) in enumerate(zip(labels, ranges)):
        x = LEFT + i * step + (step - bar) / 2
        if mid is not None:
            y = lambda v: TOP + plot_h - plot_h * v / peak  # noqa: E731
            parts.append(f'<rect x="{x:.1f}" y="{y(hi):.1f}" width="{bar:.1f}" height="{max(1.0, y(lo) - y(hi)):.1f}" fill="{COLOURS["range"]}">'
                         f'<title>{_esc(label)}: middle half {lo:.0f} to {hi:.0f}{unit}, median {mid:.0f}{unit}</title></rect>')
            parts.append(f'<line x1="{x:.1f}" y1="{y(mid):.1f}" x2="{x + bar:.1f}" y2="{y(mid):.1f}" stroke="{COLOURS["median"]}" stroke-width="2"/>')
        if i % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle">{_esc(short(label))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbars_svg(title: str, items: Sequence[tuple[str, float]]) -> str:
    """Horizontal bars, one per item, with its count at the end."""
    peak = max([v for _, v in items] or [0]) or 1
    row = 20
    height = TOP + row * max(1, len(items)) + 6
    label_w = 150
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" role="img" aria-label="{_esc(title)}" '
             f'font-family="sans-serif" font-size="11"><title>{_esc(title)}</title>',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{_esc(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = TOP + i * row
        w = (WIDTH - label_w - 60) * value / peak
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{_esc(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{COLOURS["bar"]}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_svgs(report: PilotReport) -> dict[str, str]:
    """The report's charts by name: drafts per week, modes per week, time to copy per week, change, feedback."""
    weeks = report.by_week
    labels = [w.label for w in weeks]
    return {
        "drafts": stacked_bars_svg("Drafts per week: answered and No guidance found", labels, [
            ("answered", COLOURS["answered"], [w.answered for w in weeks]),
            ("No guidance found", COLOURS["no_guidance"], [w.no_guidance for w in weeks])]),
        "modes": stacked_bars_svg("Draft mode per week", labels, [
            (mode, COLOURS[mode], [w.mode_count(mode) for w in weeks]) for mode in ("approved", "extractive", "generated")]),
        "time": ranges_svg("Seconds from question to copy or print, per week (middle half, median marked)", labels,
                           [(w.seconds_p25, w.seconds_median, w.seconds_p75) for w in weeks], " s"),
        "change": hbars_svg("Share of the draft's text changed before it left",
                            list(report.change_buckets)),
        "feedback": hbars_svg("Feedback by reason", [(FEEDBACK_LABELS[k], n) for k, n in report.overall.feedback]),
    }


def _pct(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _num(value: float | None, fmt: str = "{:.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def figures_table(groups: Sequence[Figures], caption: str) -> str:
    head = ("", "drafts", "answered", "No guidance found", "approved", "extractive", "generated", "left the app", "left unchanged",
            "median change", "mean change", "median s to copy", "middle half (s)", "helpful", "not helpful")
    rows = []
    for g in groups:
        fb = dict(g.feedback)
        not_helpful = sum(n for k, n in g.feedback if k not in ("helpful", "guidance_wrong"))
        rows.append((g.label, g.drafts, g.answered, f"{g.no_guidance} ({_pct(g.no_guidance, g.drafts)})",
                     g.mode_count("approved"), g.mode_count("extractive"), g.mode_count("generated"), g.left,
                     f"{g.unchanged} ({_pct(g.unchanged, g.left)})", _num(g.changed_median, "{:.0%}"), _num(g.changed_mean, "{:.0%}"),
                     _num(g.seconds_median), f"{_num(g.seconds_p25)} to {_num(g.seconds_p75)}", fb.get("helpful", 0), not_helpful))
    return (f"<table><caption>{_esc(caption)}</caption><tr>" + "".join(f"<th scope='col'>{_esc(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>")


def report_html(report: PilotReport, image: Callable[[str], str] | None = None) -> str:
    """The whole report as HTML. `image(name)`, when given, replaces each inline SVG chart by an <img src=...>."""
    charts = chart_svgs(report)

    def chart(name: str) -> str:
        return f"<img src='{_esc(image(name))}' alt='{_esc(name)} chart'/>" if image else charts[name]

    o = report.overall
    feedback_rows = "".join(f"<tr><td>{_esc(FEEDBACK_LABELS[k])}</td><td>{n}</td></tr>" for k, n in o.feedback)
    change_note = (f"{o.unchanged} of {o.left} drafts that left the app ({_pct(o.unchanged, o.left)}) left unchanged; "
                   f"the median draft had {_num(o.changed_median, '{:.0%}')} of its text changed." if o.left else "No draft has left the app yet.")
    time_note = (f"Median {_num(o.seconds_median)} s from the question to the first copy, print or save; the middle half took "
                 f"{_num(o.seconds_p25)} to {_num(o.seconds_p75)} s." if o.seconds_median is not None else "")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:1em auto;color:#111}table{border-collapse:collapse;margin:0.5em 0 1.5em}"
             "td,th{border:1px solid #999;padding:3px 6px;text-align:right}td:first-child{text-align:left}"
             "caption{text-align:left;font-weight:bold;padding:4px 0}.pair{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Frontdesk pilot report</title><style>{style}</style></head><body>"
        f"<h1>Frontdesk pilot report</h1><p>{_esc(report.period())}</p>"
        f"<p>Made {_esc(report.created_at[:16].replace('T', ' '))} UTC from this computer's history. It holds no questions, drafts "
        "or comments: only counts, modes, times and the share of text changed.</p>"
        f"<h2>Drafts</h2><p>{o.drafts} drafts: {o.answered} answered, {o.no_guidance} 'No guidance found' ({_pct(o.no_guidance, o.drafts)}). "
        f"Approved answers {o.mode_count('approved')}, the guidance's own sentences {o.mode_count('extractive')}, "
        f"written by the model {o.mode_count('generated')}.</p>"
        f"<div class='pair'>{chart('drafts')}{chart('modes')}</div>"
        f"<h2>How much staff changed</h2><p>{_esc(change_note)}</p><div class='pair'>{chart('change')}</div>"
        f"<h2>Time from question to copy or print</h2><p>{_esc(time_note)}</p><div class='pair'>{chart('time')}</div>"
        f"<h2>Feedback</h2><div class='pair'>{chart('feedback')}<table><caption>Feedback by reason</caption>"
        f"<tr><th scope='col'>reason</th><th scope='col'>drafts</th></tr>{feedback_rows}</table></div>"
        f"<h2>Figures</h2>{figures_table([o], 'All drafts')}{figures_table(report.by_bundle, 'By guidance version')}"
        f"{figures_table(report.by_week, 'By week (ISO weeks)')}</body></html>"
    )


def write_report_html(report: PilotReport, output: Path) -> Path:
    return write_file_atomically(Path(output), report_html(report))
