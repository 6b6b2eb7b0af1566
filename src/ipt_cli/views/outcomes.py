"""`ipt outcomes`: the service's outcomes as text (a bar per rate), JSON, CSV and HTML.

Every format holds the same numbers, built from core/outcomes.py's groups. No note text
anywhere, and no client alias unless the user asks for names (`--names`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from ipt_cli.core.outcome_record import CourseOutcome
from ipt_cli.core.outcomes import Judged, OutcomeGroup
from ipt_cli.views.print_page import STYLE, escape  # the report's page style

BAR_WIDTH = 20
GROUP_TITLES = {"all": "All courses", "condition": "Condition", "adaptation": "Adaptation",
                "signer": "Signed by"}  # fmt: skip

# (key, label, count attribute, base attribute, rate attribute): the rows with a rate.
RATES = (
    ("recovered", "Recovered", "recovered", "cases_at_start", "recovery_rate"),
    ("reliably_improved", "Reliably improved", "reliably_improved", "finished",
     "reliable_improvement_rate"),
    ("reliably_recovered", "Reliably recovered", "reliably_recovered", "cases_at_start",
     "reliable_recovery_rate"),
    ("deteriorated", "Reliably deteriorated", "deteriorated", "finished", "deterioration_rate"),
)  # fmt: skip

GROUP_FIELDS = (
    "by", "name", "courses", "finished", "not_finished", "in_treatment", "one_score", "no_score",
    "cases_at_start", "not_case_at_start", "recovered", "recovery_rate", "reliably_improved",
    "reliable_improvement_rate", "reliably_recovered", "reliable_recovery_rate",
    "deteriorated", "deterioration_rate", "median_sessions", "median_days",
    "other_screen_only",  # added last: the CSV's columns before it stay where scripts read them
)  # fmt: skip


def group_json(group: OutcomeGroup) -> dict[str, Any]:
    """One group as scripts read it: counts, rates (0-1, exact; null with no base) and
    medians."""
    return {name: getattr(group, name) for name in GROUP_FIELDS}


def course_json(outcome: CourseOutcome, judged: Judged | None) -> dict[str, Any]:
    """One course (only with --names): what it counted as."""
    return {
        "course_id": outcome.course_id,
        "client": outcome.client,
        "finished": outcome.finished,
        "paired_scores": outcome.paired,
        "case_at_start": judged.case_at_start if judged else None,
        "recovered": judged.recovered if judged else None,
        "reliably_improved": judged.reliably_improved if judged else None,
        "reliably_recovered": judged.reliably_recovered if judged else None,
        "deteriorated": judged.deteriorated if judged else None,
    }


def outcomes_json(
    groups: Sequence[OutcomeGroup],
    definitions: dict[str, str],
    courses: Sequence[tuple[CourseOutcome, Judged | None]] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "definitions": definitions,
        "groups": [group_json(g) for g in groups],
    }
    if courses is not None:
        document["courses"] = [course_json(o, j) for o, j in courses]
    return document


def outcomes_csv(groups: Sequence[OutcomeGroup]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(GROUP_FIELDS)
    for group in groups:
        writer.writerow(["" if v is None else v for v in group_json(group).values()])
    return buffer.getvalue()


def percent(rate: float | None) -> str:
    """A rate as a whole percentage for people (JSON keeps the exact value)."""
    return "-" if rate is None else f"{round(rate * 100)}%"


def bar(rate: float | None, ascii_only: bool = False) -> str:
    if rate is None:
        return ""
    filled = round(rate * BAR_WIDTH)
    full, empty = ("#", "-") if ascii_only else ("█", "·")
    return full * filled + empty * (BAR_WIDTH - filled)


def _median(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def group_lines(group: OutcomeGroup, ascii_only: bool = False) -> list[str]:
    """One group as lines of at most 60 columns: the counts, then a bar per rate."""
    title = GROUP_TITLES.get(group.by, group.by)
    heading = title if group.by == "all" else f"{title}: {group.name}"
    lines = [
        f"{heading} ({group.courses} course{'s' if group.courses != 1 else ''})",
        f"  Finished treatment        {group.finished:>4}",
        f"  Not finished              {group.not_finished:>4}  (in treatment "
        f"{group.in_treatment}, one score {group.one_score}, none {group.no_score})",
        *_other_screen_lines(group),
        f"  Cases at start            {group.cases_at_start:>4}",
        f"  Not a case at start       {group.not_case_at_start:>4}",
    ]
    for _, label, count, base, rate in RATES:
        value: float | None = getattr(group, rate)
        lines.append(
            f"  {label:<24}{getattr(group, count):>4} of {getattr(group, base):<4}"
            f"{percent(value):>5}  {bar(value, ascii_only)}".rstrip()
        )
    lines.append(
        f"  Median sessions {_median(group.median_sessions)}, median days "
        f"{_median(group.median_days)} (finished courses)"
    )
    return lines


def _other_screen_lines(group: OutcomeGroup) -> list[str]:
    """Courses that read as 'none' because they were screened with the PHQ-A or EPDS."""
    if not group.other_screen_only:
        return []
    return [
        f"    of which {group.other_screen_only} with the PHQ-A or EPDS only: not counted",
        "    by these adult PHQ-9 definitions (see their reports)",
    ]


def outcomes_text(
    groups: Sequence[OutcomeGroup],
    definitions: dict[str, str],
    courses: Sequence[tuple[CourseOutcome, Judged | None]] | None = None,
    ascii_only: bool = False,
) -> str:
    blocks = ["\n".join(group_lines(g, ascii_only)) for g in groups]
    text = "\n\n".join(blocks) + "\n"
    if courses is not None:
        text += "\nCourses\n" + "".join(f"  {line}\n" for line in course_lines(courses))
    return text + "\n" + definitions_text(definitions)


def course_lines(courses: Sequence[tuple[CourseOutcome, Judged | None]]) -> list[str]:
    def what(outcome: CourseOutcome, judged: Judged | None) -> str:
        if judged is None:
            if outcome.paired == 0 and outcome.other_screen:
                return f"not counted: measured with the {outcome.other_screen} only"
            if outcome.in_treatment:
                return "in treatment"
            return "not finished (one score)" if outcome.paired == 1 else "not finished"
        if not judged.case_at_start:
            said = "not a case at start"
        elif judged.reliably_recovered:
            said = "reliably recovered"
        elif judged.recovered:
            said = "recovered"
        else:
            said = "still a case"
        if judged.reliably_improved and not judged.reliably_recovered:
            said += ", reliably improved"
        return said + (", reliably deteriorated" if judged.deteriorated else "")

    return [f"{o.course_id} ({o.client}): {what(o, j)}" for o, j in courses]


def definitions_text(definitions: dict[str, str]) -> str:
    return "Definitions\n" + "".join(
        f"  {key.replace('_', ' ')}: {text}\n" for key, text in definitions.items()
    )


def outcomes_html(
    groups: Sequence[OutcomeGroup],
    definitions: dict[str, str],
    courses: Sequence[tuple[CourseOutcome, Judged | None]] | None = None,
    generated: str = "",
) -> str:
    """A printable page: one table per group, the same numbers as the text."""
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>ipt outcomes</title>",
        f"<style>{STYLE} h2, h3 {{ break-after: avoid; }} table {{ break-inside: avoid; }}"
        "</style></head><body>",
        "<h1>Service outcomes</h1>",
    ]
    if generated:
        parts.append(f"<p>Generated {escape(generated)}</p>")
    for group in groups:
        title = GROUP_TITLES.get(group.by, group.by)
        heading = title if group.by == "all" else f"{title}: {group.name}"
        rows = [
            ["Courses", str(group.courses), ""],
            ["Finished treatment", str(group.finished), ""],
            [
                "Not finished (in treatment / one score / none)",
                f"{group.in_treatment} / {group.one_score} / {group.no_score}",
                "",
            ],
            *(
                [
                    [
                        "of which measured with the PHQ-A or EPDS only (outside these definitions)",
                        str(group.other_screen_only),
                        "",
                    ]
                ]
                if group.other_screen_only
                else []
            ),  # fmt: skip
            ["Cases at start", str(group.cases_at_start), ""],
            ["Not a case at start", str(group.not_case_at_start), ""],
        ]
        for _, label, count, base, rate in RATES:
            value: float | None = getattr(group, rate)
            rows.append(
                [label, f"{getattr(group, count)} of {getattr(group, base)}", percent(value)]
            )
        rows.append(["Median sessions / days", f"{_median(group.median_sessions)} / "
                     f"{_median(group.median_days)}", ""])  # fmt: skip
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
        )
        parts.append(
            f"<h2>{escape(heading)}</h2><table><thead><tr><th>Outcome</th><th>Count</th>"
            f"<th>Rate</th></tr></thead><tbody>{body}</tbody></table>"
        )
    if courses is not None:
        parts.append("<h2>Courses</h2><ul>")
        parts += [f"<li>{escape(line)}</li>" for line in course_lines(courses)]
        parts.append("</ul>")
    parts.append("<h2>Definitions</h2><dl>")
    for key, text in definitions.items():
        parts.append(f"<dt>{escape(key.replace('_', ' '))}</dt><dd>{escape(text)}</dd>")
    parts.append("</dl></body></html>\n")
    return "".join(parts)
