"""The report in three formats from one JSON document: Markdown (tables, Mermaid), HTML (inline SVG), JSON."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from . import svg

# wide enough, and small enough labels, that 24 months ("2024-01") do not run into each other
_XY_THEME = ('%%{init: {"xyChart": {"width": 960, "xAxis": {"labelFontSize": 11}}, '
             '"themeVariables": {"xyChart": {"plotColorPalette": "#3b6ea8"}}}}%%')
CHART_MONTHS = 24  # the Markdown chart shows the last two years; the table has every month
CHART_POINTS = 24  # a line chart shows the latest incidents, as many as leave their dates readable
FOLD_ROWS = 12
_MERMAID_UNSAFE = re.compile(r"[^\w .@/:+-]")


def minutes_text(value: int | None) -> str:
    if value is None:
        return "unknown"
    if value < 60:
        return f"{value}m"
    hours, minutes = divmod(value, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def line_link(report: dict[str, Any], path: str, line: int) -> str:
    return f"{report.get('link_base') or ''}{path}#L{line}"


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# Markdown -----------------------------------------------------------------------------------------------

def _cell(text: Any) -> str:
    flat = " ".join(str(text if text is not None else "").split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("[", "\\[") or " "


def _url(text: str) -> str:
    return text.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _mermaid_text(text: str, limit: int = 30) -> str:
    return _MERMAID_UNSAFE.sub("", text)[:limit] or "?"


def _xychart(title: str, labels: list[str], values: list[float], axis: str, kind: str = "bar") -> list[str]:
    top = max(values, default=0) or 1
    names = ", ".join(f'"{_mermaid_text(label)}"' for label in labels)
    numbers = ", ".join(f"{v:g}" for v in values)
    return ["```mermaid", _XY_THEME, "xychart-beta", f'    title "{_mermaid_text(title, 60)}"', f"    x-axis [{names}]",
            f'    y-axis "{_mermaid_text(axis)}" 0 --> {top:g}', f"    {kind} [{numbers}]", "```", ""]


def _pie(title: str, counts: list[tuple[str, int]]) -> list[str]:
    lines = ["```mermaid", f"pie title {_mermaid_text(title)}"]
    lines += [f'    "{_mermaid_text(name)}" : {count}' for name, count in counts if count]
    return [*lines, "```", ""]


def _folded(fold: bool, title: str, table: list[str]) -> list[str]:
    """A long table inside a ``<details>`` block (GitHub shows it folded), a short one as it is."""
    if not fold:
        return [*table, ""]
    return ["<details>", f"<summary>{title}</summary>", "", *table, "", "</details>", ""]


def markdown(report: dict[str, Any]) -> str:
    """Tables and Mermaid charts, for a README, an issue or a job summary."""
    fig = report["figures"]
    items = fig["action_items"]
    out = ["# Postmortem follow-through", "",
           f"{fig['postmortems']} postmortems; {items['total']} action items: {items['open']} open, "
           f"{items['done']} done, {items['overdue']} overdue (today is {report['today']}"
           + (", states from GitHub issues)." if report["issues"] else ")."), ""]
    share = fig["done_within_30_days"]
    if share["eligible"]:
        known = f"{share['share']:.0%}" if share["share"] is not None else "unknown"
        out += [f"Done within 30 days of the incident: {share['done']} of {share['eligible']} items ({known}); "
                f"{share['done_date_unknown']} done on a date not known.", ""]
    out += _md_over_time(fig)
    out += _md_open_items(report, fig)
    out += _md_postmortems(report)
    return "\n".join(out)


def _md_over_time(fig: dict[str, Any]) -> list[str]:
    """Incidents per month, duration and time to detect over time."""
    per_month = fig["incidents_per_month"]
    out = ["## Incidents per month", ""]
    if per_month:
        recent = per_month[-CHART_MONTHS:]
        title = "Incidents per month" if len(recent) == len(per_month) else f"Incidents per month: last {len(recent)}"
        out += _xychart(title, [m["month"] for m in recent], [m["count"] for m in recent], "incidents")
    out += _folded(len(per_month) > FOLD_ROWS, "Incidents per month",
                   ["| Month | Incidents |", "| --- | ---: |",
                    *(f"| {m['month']} | {m['count']} |" for m in per_month)])
    for key, title in (("duration_over_time", "Duration"), ("detect_over_time", "Time to detect")):
        rows = fig[key]
        out += [f"## {title} over time", ""]
        if not rows:
            out += ["No postmortem states it.", ""]
            continue
        latest = rows[-CHART_POINTS:]
        heading = f"{title} in minutes" + ("" if len(latest) == len(rows) else f": last {len(latest)} incidents")
        out += _xychart(heading, [r["date"] for r in latest], [r["minutes"] for r in latest],
                        "minutes", "line")
    return out


def _md_open_items(report: dict[str, Any], fig: dict[str, Any]) -> list[str]:
    """Open items by age and owner, the oldest ones, and issues closed while their box is unchecked."""
    out = ["## Open action items by age", "", "| Age | Open items |", "| --- | ---: |",
           *(f"| {a['age']} | {a['count']} |" for a in fig["open_by_age"]), ""]
    owners = [(o["owner"], o["count"]) for o in fig["open_by_owner"]]
    out += ["## Open action items by owner", ""]
    if owners:
        out += _pie("Open items by owner", owners[:12])
    out += _folded(len(owners) > FOLD_ROWS, "Open items by owner",
                   ["| Owner | Open items |", "| --- | ---: |", *(f"| {_cell(n)} | {c} |" for n, c in owners)])
    out += ["## Oldest open action items", "", "| Age (days) | Item | Owners | Due | Where |",
            "| ---: | --- | --- | --- | --- |"]
    for item in fig["oldest_open"]:
        where = f"[{_cell(item['path'])}:{item['line']}]({_url(line_link(report, item['path'], item['line']))})"
        due = _cell(item["due"] or "") + (" (overdue)" if item["overdue"] else "")
        out.append(f"| {item['age_days']} | {_cell(item['text'][:120])} | {_cell(', '.join(item['owners']))} | "
                   f"{due} | {where} |")
    out.append("")
    if report["issues"]:
        out += ["## Issues closed while the box is unchecked", ""]
        out += [f"- [{_cell(c['path'])}:{c['line']}]({_url(line_link(report, c['path'], c['line']))}) "
                f"{_cell(c['text'][:100])} ({_cell(c['issue'])})" for c in report["closed_unchecked"]] or ["None."]
        out.append("")
    return out


def _md_postmortems(report: dict[str, Any]) -> list[str]:
    """One table row per postmortem."""
    rows = ["| Date | Postmortem | Severity | Duration | To detect | To mitigate | To resolve | Open | Done | Overdue "
            "| Owners |", "| --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | --- |"]
    for pm in report["postmortems"]:
        counts = pm["action_items"]
        name = f"[{_cell(pm['title'] or pm['path'])}]({_url(line_link(report, pm['path'], 1))})"
        rows.append(f"| {pm['date'] or 'unknown'} | {name} | {_cell(pm['severity'] or '')} | "
                    f"{minutes_text(pm['duration_minutes'])} | {minutes_text(pm['time_to_detect_minutes'])} | "
                    f"{minutes_text(pm['time_to_mitigate_minutes'])} | {minutes_text(pm['time_to_resolve_minutes'])} | "
                    f"{counts['open']} | {counts['done']} | {counts['overdue']} | {_cell(', '.join(pm['owners']))} |")
    return ["## Postmortems", "", *_folded(len(rows) - 2 > FOLD_ROWS, f"{len(rows) - 2} postmortems", rows)]


# HTML ---------------------------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}
figure{margin:0}
figcaption{font-weight:600;margin-bottom:.3em}
"""


def _td(value: Any, numeric: bool = False) -> str:
    cls = ' class="n"' if numeric else ""
    return f"<td{cls}>{escape(str(value if value is not None else ''))}</td>"


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def _figure(caption: str, chart: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{chart}</figure>"


def html(report: dict[str, Any]) -> str:
    """One self-contained page: inline CSS and SVG, nothing fetched, no script."""
    fig = report["figures"]
    items = fig["action_items"]
    per_month = fig["incidents_per_month"]
    charts = [
        _figure("Incidents per month", svg.bars("Incidents per month", [m["month"] for m in per_month],
                                                [m["count"] for m in per_month])),
        _figure("Duration over time", svg.series("Duration (minutes)", [r["date"] for r in fig["duration_over_time"]],
                                                 [r["minutes"] for r in fig["duration_over_time"]], "minutes")),
        _figure("Time to detect over time", svg.series("Time to detect (minutes)",
                                                       [r["date"] for r in fig["detect_over_time"]],
                                                       [r["minutes"] for r in fig["detect_over_time"]], "minutes")),
        _figure("Open action items by age", svg.bars("Open action items by age", [a["age"] for a in fig["open_by_age"]],
                                                     [a["count"] for a in fig["open_by_age"]])),
        _figure("Open action items by owner", svg.bars("Open action items by owner",
                                                       [o["owner"] for o in fig["open_by_owner"][:20]],
                                                       [o["count"] for o in fig["open_by_owner"][:20]])),
    ]
    share = fig["done_within_30_days"]
    known = f"{share['share']:.0%}" if share["share"] is not None else "unknown"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Postmortem follow-through</title>", f"<style>{_STYLE}</style></head><body>",
        "<h1>Postmortem follow-through</h1>",
        f"<p>{fig['postmortems']} postmortems; {items['total']} action items: {items['open']} open, "
        f"{items['done']} done, {items['overdue']} overdue. Today is {escape(report['today'])}"
        + ("; item states from GitHub issues." if report["issues"] else ".") + "</p>",
        f"<p>Done within 30 days of the incident: {share['done']} of {share['eligible']} items ({known}); "
        f"{share['done_date_unknown']} done on a date not known.</p>",
        '<div class="charts">', *charts, "</div>",
        "<h2>Oldest open action items</h2><table><tr><th>Age (days)</th><th>Item</th><th>Owners</th><th>Due</th>"
        "<th>Where</th></tr>",
    ]
    for item in fig["oldest_open"]:
        where = _link(line_link(report, item["path"], item["line"]), f"{item['path']}:{item['line']}")
        due = (item["due"] or "") + (" (overdue)" if item["overdue"] else "")
        parts.append(f"<tr>{_td(item['age_days'], True)}{_td(item['text'])}{_td(', '.join(item['owners']))}"
                     f"{_td(due)}<td>{where}</td></tr>")
    parts.append("</table>")
    if report["issues"]:
        parts.append("<h2>Issues closed while the box is unchecked</h2><ul>")
        parts += [f"<li>{_link(line_link(report, c['path'], c['line']), c['path'] + ':' + str(c['line']))} "
                  f"{escape(c['text'][:100])} ({escape(c['issue'])})</li>" for c in report["closed_unchecked"]]
        parts.append("</ul>")
    parts.append("<h2>Postmortems</h2><table><tr><th>Date</th><th>Postmortem</th><th>Severity</th><th>Duration</th>"
                 "<th>To detect</th><th>To mitigate</th><th>To resolve</th><th>Open</th><th>Done</th>"
                 "<th>Overdue</th><th>Owners</th></tr>")
    for pm in report["postmortems"]:
        counts = pm["action_items"]
        name = _link(line_link(report, pm["path"], 1), pm["title"] or pm["path"])
        parts.append(
            f"<tr>{_td(pm['date'] or 'unknown')}<td>{name}</td>{_td(pm['severity'])}"
            f"{_td(minutes_text(pm['duration_minutes']))}{_td(minutes_text(pm['time_to_detect_minutes']))}"
            f"{_td(minutes_text(pm['time_to_mitigate_minutes']))}{_td(minutes_text(pm['time_to_resolve_minutes']))}"
            f"{_td(counts['open'], True)}{_td(counts['done'], True)}{_td(counts['overdue'], True)}"
            f"{_td(', '.join(pm['owners']))}</tr>")
    parts += ["</table>", "</body></html>", ""]
    return "\n".join(parts)
