"""`ipt guide`: the catalogue's clinical structure as readable text. Pure; no I/O."""

from __future__ import annotations

from ipt_cli.core import catalogue, measures

TOPICS = ("phases", "areas", "stages", "techniques", "measures", "safety")


def topic_names() -> list[str]:
    """Every topic and item `ipt guide` can show (for shell completion too)."""
    return [
        *TOPICS,
        *catalogue.PROBLEM_AREAS,
        *catalogue.TECHNIQUES,
        *measures.INSTRUMENTS,
        *catalogue.PHASES,
    ]


def _phases() -> list[str]:
    lines = ["# Phases of IPT", ""]
    for phase_id in catalogue.PHASE_ORDER:
        phase = catalogue.PHASES[phase_id]
        lines += [f"## {phase.name} ({phase.id}): {phase.summary}", ""]
        lines += [f"- {task.text}" for task in phase.tasks] + [""]
    lines.append(
        "Default phases: initial = sessions 1-3 and termination = the last 3 "
        "(2 and 2 when fewer than 10 sessions are planned)."
    )
    return lines


def _area(area_id: str) -> list[str]:
    area = catalogue.PROBLEM_AREAS[area_id]
    lines = [f"## {area.name} ({area.id})", "", f"Chosen when: {area.when_chosen}", "", "Goals:"]
    lines += [f"- [{g.id}] {g.text}" for g in area.goals]
    lines += ["", "Strategies:"] + [f"- [{s.id}] {s.text}" for s in area.strategies] + [""]
    return lines


def _stages() -> list[str]:
    lines = ["# Stages of a role dispute", ""]
    return lines + [f"- {s.id}: {s.text}" for s in catalogue.DISPUTE_STAGES.values()]


def _techniques(only: str | None = None) -> list[str]:
    lines = ["# Techniques", ""]
    return lines + [
        f"- {t.id}: {t.text}" for t in catalogue.TECHNIQUES.values() if only in (None, t.id)
    ]


def _measure(instrument: measures.Instrument) -> list[str]:
    bands = ", ".join(f"{b.low}-{b.high} {b.label}" for b in instrument.bands)
    lines = [
        f"## {instrument.name} ({instrument.id})",
        "",
        f"Total 0-{instrument.total_max}; bands: {bands}.",
        f"Remission: total <= {instrument.remission_max}. Response: latest <= 50% of baseline.",
    ]
    if instrument.item_max:
        wide = set(instrument.item_max)
        lines.append(
            f"{instrument.item_count} items, scored 0-{max(wide)}"
            + (" (see the form for which)" if len(wide) > 1 else "")
            + "."
        )
    if instrument.risk_item:
        lines.append(f"Item {instrument.risk_item} >= 1 raises a safety flag.")
    if instrument.reliable_change:
        lines.append(
            f"Reliable change: >= {instrument.reliable_change} points, an improvement or a "
            f"deterioration. Caseness: >= {instrument.caseness}; reliable recovery is a "
            "reliable improvement from a case to below caseness."
        )
    else:
        lines.append(
            "No reliable-change convention: response and remission only, unless "
            "config.toml sets thresholds."
        )
    if instrument is measures.BDI2:
        lines.append("Copyrighted: only the total and item 9 are recorded.")
    return lines + [""]


def _measures() -> list[str]:
    lines = ["# Measures", ""]
    for instrument in measures.INSTRUMENTS.values():
        lines += _measure(instrument)
    return lines + [measures.PHQ_ATTRIBUTION]


def _safety() -> list[str]:
    return [
        "# Safety",
        "",
        catalogue.SAFETY_NOTICE,
        "",
        "A flag stays at the top of every report, list row and agenda until a risk "
        "review is recorded with `ipt risk-review COURSE_ID --session N --note TEXT`.",
        "",
        catalogue.CRISIS_GUIDANCE,
    ]


def guide(topic: str | None) -> str:
    """The text for a topic (see TOPICS), an area, technique, phase or measure id; or all."""
    if topic is None:
        parts = _phases() + ["", "# Problem areas", ""]
        for area_id in catalogue.PROBLEM_AREAS:
            parts += _area(area_id)
        parts += _stages() + [""] + _techniques() + [""] + _measures() + [""] + _safety()
        return "\n".join(parts) + "\n"
    if topic == "phases" or topic in catalogue.PHASES:
        lines = _phases()
    elif topic == "areas":
        lines = ["# Problem areas", ""]
        for area_id in catalogue.PROBLEM_AREAS:
            lines += _area(area_id)
    elif topic in catalogue.PROBLEM_AREAS:
        lines = _area(topic) + (_stages() if topic == "role-dispute" else [])
    elif topic == "stages":
        lines = _stages()
    elif topic == "techniques" or topic in catalogue.TECHNIQUES:
        lines = _techniques(None if topic == "techniques" else topic)
    elif topic == "measures":
        lines = _measures()
    elif topic in measures.INSTRUMENTS:
        lines = _measure(measures.INSTRUMENTS[topic])
    elif topic == "safety":
        lines = _safety()
    else:
        from ipt_cli.errors import InputError

        raise InputError(
            f"unknown guide topic {topic!r}; try one of: {', '.join(TOPICS)}, "
            "or an area, technique or measure id"
        )
    return "\n".join(lines).rstrip() + "\n"
