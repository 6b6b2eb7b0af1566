"""The client's safety plan: Stanley-Brown sections, every version kept and dated.

A change never rewrites a version: it adds a new one, which carries over every section it
does not change. The editor round-trip reads and writes the plan as plain text, one heading
per section and one line per item.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from ipt_cli.core import catalogue
from ipt_cli.core.models import Course, SafetyPlanVersion
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import InputError

SECTIONS = catalogue.SAFETY_PLAN_SECTIONS
HEADING = "## "
TEMPLATE_HELP = (
    "# Safety plan of {course}. One item per line under each heading; lines starting with "
    "'#' are ignored\n# unless they are a section heading. Save and close to keep a new "
    "version; leave it unchanged to keep none.\n"
)


def current(course: Course) -> SafetyPlanVersion | None:
    return course.safety_plan[-1] if course.safety_plan else None


def plan_gaps(version: SafetyPlanVersion) -> list[str]:
    """What a Stanley-Brown plan must not lack (Stanley & Brown 2012): a crisis contact
    (step 5: professionals and agencies, with numbers) and means restriction (step 6:
    making the environment safe). The plan still saves; the clinician is told."""
    gaps = []
    if not version.professionals:
        gaps.append(
            "no crisis contact (professionals and agencies to call in a crisis, with numbers: "
            "--professional)"
        )
    if not version.environment:
        gaps.append("no means restriction (a step to make the environment safe: --environment)")
    return gaps


def version_label(course: Course) -> str | None:
    """'version 2 of 2026-02-02', for reports and notes; None without a plan."""
    plan = current(course)
    if plan is None:
        return None
    return f"version {len(course.safety_plan)} of {plan.date.isoformat()}"


def revise(
    course: Course, changes: dict[str, list[str]], today: dt.date, by: str | None
) -> SafetyPlanVersion | None:
    """Add a version with `changes` (section field -> its new items; sections not given are
    carried over). None, and nothing added, when the plan would not change."""
    unknown = set(changes) - {s.field for s in SECTIONS}
    if unknown:
        raise InputError(f"unknown safety plan section {sorted(unknown)[0]!r}")
    before = current(course)
    sections = before.sections() if before else {s.field: [] for s in SECTIONS}
    for name, items in changes.items():
        sections[name] = [item.strip() for item in items if item.strip()]
    if before is not None and sections == before.sections():
        return None
    if before is None and not any(sections.values()):
        raise InputError("the safety plan needs at least one item in one section")
    try:
        version = SafetyPlanVersion.model_validate({"date": today, "by": by, **sections})
    except ValidationError as error:
        options = {s.field: s.option for s in SECTIONS} | {"by": "--by"}
        raise InputError("; ".join(describe_validation(error, None, options))) from None
    course.safety_plan.append(version)
    return version


def plan_text(course: Course) -> str:
    """The current plan as the text the editor shows (all sections, empty ones too)."""
    plan = current(course)
    sections = plan.sections() if plan else {}
    lines = [TEMPLATE_HELP.format(course=course.id)]
    for section in SECTIONS:
        lines.append(f"{HEADING}{section.heading}")
        lines.append(f"# {section.prompt}")
        lines += [f"- {item}" for item in sections.get(section.field, [])]
        lines.append("")
    return "\n".join(lines)


def parse_plan_text(text: str) -> dict[str, list[str]]:
    """Section field -> items, from the editor's text. A heading that is not a section is
    refused (by its line number, never its text)."""
    by_heading = {s.heading.lower(): s.field for s in SECTIONS}
    found: dict[str, list[str]] = {s.field: [] for s in SECTIONS}
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith(HEADING):
            section = by_heading.get(line[len(HEADING) :].strip().lower())
            if section is None:
                raise InputError(
                    f"line {number}: not a section heading of the safety plan; the headings "
                    "are: " + ", ".join(s.heading for s in SECTIONS)
                )
            continue
        if not line or line.startswith("#"):
            continue
        if section is None:
            raise InputError(f"line {number}: an item before the first section heading")
        found[section].append(line.removeprefix("- ").strip())
    return found
