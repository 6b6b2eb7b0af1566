"""`ipt guide`: the catalogue's clinical structure as readable text. Pure; no I/O."""

from __future__ import annotations

from ipt_cli.core import catalogue, measures, vocabulary
from ipt_cli.core.planning import initial_task_groups
from ipt_cli.core.signals import NOT_ON_TRACK_ADVICE, SIGN_WITHIN_DAYS
from ipt_cli.errors import InputError

TOPICS = (
    "phases",
    "areas",
    "stages",
    "techniques",
    "measures",
    "conditions",
    "safety",
    "fidelity",
    "adaptations",
    "outcomes",
)


def topic_names() -> list[str]:
    """Every topic and item `ipt guide` can show (for shell completion too)."""
    return [
        *TOPICS,
        *catalogue.PROBLEM_AREAS,
        *catalogue.TECHNIQUES,
        *measures.INSTRUMENTS,
        *catalogue.PHASES,
        *catalogue.CONDITIONS,
        *catalogue.ADAPTATIONS,
    ]


def _heading(name: str, item_id: str) -> str:
    """'Role dispute (role-dispute)', but never 'Grief (grief)'."""
    return name if name.lower() == item_id else f"{name} ({item_id})"


def _phase(phase: catalogue.Phase) -> list[str]:
    lines = [f"## {phase.name} phase: {phase.summary}", ""]
    lines += [f"- {task.text}" for task in phase.tasks] + [""]
    if phase.id == "initial":
        lines += [
            "The baseline rating is taken in session 1. The diagnostic tasks (symptom "
            "review to medication) open the initial phase; the interpersonal ones "
            "(inventory to contract) take its last sessions, one each when there are "
            "enough. A task the record shows as done (the problem area, an agreed "
            "formulation, a contract agreed in the assessment) is shown as done:",
            "",
        ]
        for count in (1, 2, 3, 4, 5):
            groups = initial_task_groups(count)
            shares = "; ".join(
                f"session {n}: {', '.join(t.short for t in group)}"
                for n, group in enumerate(groups, 1)
            )
            lines.append(f"- {count} initial session{'s' if count > 1 else ''}: {shares}")
        lines.append("")
    if phase.id == "maintenance":
        lines += [
            "Opened with `ipt maintenance` once the acute course is complete; its sessions "
            "are counted apart (maintenance session 1, 2, ...). Renegotiate it with "
            "`ipt contract COURSE_ID --maintenance --sessions N --reason TEXT`.",
            "",
        ]
    return lines


def _phases(only: str | None = None) -> list[str]:
    if only is not None:
        return _phase(catalogue.PHASES[only])
    lines = ["# Phases of IPT", ""]
    for phase_id in (*catalogue.PHASE_ORDER, catalogue.MAINTENANCE_PHASE.id):
        lines += _phase(catalogue.PHASES[phase_id])
    lines += [
        "Every session starts its symptom rating with the risk item.",
        "",
        "Default phases: initial = sessions 1-3 and termination = the last 3 from 10 "
        "planned sessions; 2 and 2 from 6 (IPT-B: 8 sessions); 1 and 1 below 6. Overrides "
        "(--initial-sessions, --termination-sessions) must leave at least one middle session.",
    ]
    return lines


def _area(area_id: str) -> list[str]:
    area = catalogue.PROBLEM_AREAS[area_id]
    lines = [f"## {_heading(area.name, area.id)}", "", f"Chosen when: {area.when_chosen}", ""]
    lines += ["Goals:"] + [f"- [{g.id}] {g.text}" for g in area.goals]
    lines += ["", "Strategies:"] + [f"- [{s.id}] {s.text}" for s in area.strategies] + [""]
    if area_id == "role-dispute":
        lines += ["At the dissolution stage, instead:"]
        lines += [f"- [{s.id}] {s.text}" for s in catalogue.DISSOLUTION_STRATEGIES] + [""]
    return lines


def _stages() -> list[str]:
    lines = ["# Stages of a role dispute", ""]
    return lines + [f"- {s.id}: {s.text}" for s in catalogue.DISPUTE_STAGES.values()]


def _techniques(only: str | None = None) -> list[str]:
    lines = ["# Techniques", ""]
    return lines + [
        f"- {t.id}: {t.text}" for t in catalogue.TECHNIQUES.values() if only in (None, t.id)
    ]


def _item_ranges(instrument: measures.Instrument) -> list[str]:
    """Which items score 0-4 and which 0-2 (one line when all share a range)."""
    ranges = sorted(set(instrument.item_max), reverse=True)
    if len(ranges) == 1:
        return [f"- {instrument.item_count} items, each scored 0-{ranges[0]}."]
    lines = [f"- {instrument.item_count} items:"]
    for top in ranges:
        numbered = [
            f"{n} {label.lower()}"
            for n, (label, high) in enumerate(
                zip(instrument.item_labels, instrument.item_max, strict=True), 1
            )
            if high == top
        ]
        lines.append(f"  - scored 0-{top}: {'; '.join(numbered)}")
    return lines


def _measure(instrument: measures.Instrument) -> list[str]:
    bands = ", ".join(f"{b.low}-{b.high} {b.label}" for b in instrument.bands)
    bands = bands or "none (no empirically derived severity bands)"
    remission = (
        f"Remission: total <= {instrument.remission_max}."
        if instrument.remission_max is not None
        else "Remission: not defined for this instrument (reported as n/a)."
    )
    lines = [
        f"## {_heading(instrument.name, instrument.id)}",
        "",
        f"- Total 0-{instrument.total_max}; bands: {bands}.",
        f"- {remission} "
        + (
            "Response: latest <= 50% of baseline."
            if instrument.response_rule
            else "No 50% response rule: change is read in points."
        ),
    ]
    if instrument.item_max:
        lines += _item_ranges(instrument)
    if instrument.stem:
        lines.append(f"- Asked: {instrument.stem}")
    if instrument.clusters:
        lines.append(
            "- Clusters: "
            + "; ".join(f"{c.name} items {c.first}-{c.last}" for c in instrument.clusters)
            + "."
        )
    if instrument.cutoffs:
        lines.append(
            "- Cut-offs: "
            + "; ".join(f"{c.score} or more {c.label}" for c in instrument.cutoffs)
            + "."
        )
    elif instrument.cutoff is not None:
        lines.append(
            f"- Cut-off: a total of {instrument.cutoff} or more is at or above the cut-off"
            + (" (probable PTSD; a setting, 31-33 in the sources)." if instrument.clusters else ".")
        )
    lines += _risk_lines(instrument) + _change_lines(instrument)
    if instrument is measures.PCL5:
        lines.append(
            "- Provisional DSM-5 symptom rule: at least 1 B, 1 C, 2 D and 2 E items rated 2 or "
            "more (a screen, not a diagnosis)."
        )
        lines.append("- Public domain (US National Center for PTSD).")
    if instrument.attribution:
        lines.append(f"- {instrument.attribution}")
    if instrument is measures.BDI2:
        lines.append("- Copyrighted: only the total and item 9 are recorded.")
    elif instrument.copyrighted:
        lines.append("- Copyrighted: only the total is recorded.")
    elif not instrument.item_max:
        lines.append("- Only the total is recorded.")
    return lines + [""]


def _measures() -> list[str]:
    lines = ["# Measures", ""]
    for instrument in measures.INSTRUMENTS.values():
        lines += _measure(instrument)
    return lines + [measures.PHQ_ATTRIBUTION]


def _condition(profile: catalogue.ConditionProfile) -> list[str]:
    offered = ", ".join(_measure_name(m) for m in profile.measures)
    return [
        f"## {_heading(profile.name, profile.id)}",
        "",
        f"- {profile.adaptation}.",
        f"- Primary outcome: {profile.primary_name}.",
        f"- Measures offered at assessment and every session: {offered}.",
        f"- Psychoeducation: {profile.psychoeducation}.",
        f"- Sick role: {profile.sick_role}.",
        f"- Weekly symptom review: {profile.symptom_review}.",
        "",
    ]


EATING_NAMES = {
    "binges": "binge episodes (--binges)",
    "compensatory": "compensatory behaviours (--compensatory)",
    "edeq_global": "EDE-Q global score (--edeq-global, 0-6, total only)",
}


def _measure_name(measure_id: str) -> str:
    if measure_id in measures.INSTRUMENTS:
        return measures.INSTRUMENTS[measure_id].name
    return EATING_NAMES.get(measure_id, measure_id)


def _conditions(only: str | None = None) -> list[str]:
    lines = [] if only else ["# Conditions", ""]
    if not only:
        lines += [
            "A course's condition (`ipt new-course --condition`) decides what is measured and "
            "said; the interpersonal work (problem areas, phases, techniques) stays IPT's. The "
            "PHQ-9, with its risk item, is offered in every condition as the depression and "
            "risk screen.",
            "",
        ]
    for profile in catalogue.CONDITIONS.values():
        if only in (None, profile.id):
            lines += _condition(profile)
    return lines


def _safety() -> list[str]:
    return [
        "# Safety",
        "",
        catalogue.SAFETY_NOTICE,
        "",
        "A flag stays at the top of every report, list row, agenda and note until a risk "
        "review is recorded with `ipt risk-review COURSE_ID --session N --note TEXT "
        f"--ideation {_either(vocabulary.IdeationId)} --level {_either(vocabulary.RiskLevelId)} "
        f"--action TEXT`. URGENT: {_urgent_rules()}. The level of the review recorded last "
        "stands; HIGH keeps a banner on every view.",
        "",
        catalogue.CRISIS_GUIDANCE,
    ]


def _outcomes() -> list[str]:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.outcomes import outcome_definitions
    from ipt_cli.core.tracking import OVERDUE_DAYS

    rules = measures.ScoringRules()
    lines = [
        "# Outcomes and follow-up",
        "",
        "`ipt outcomes` counts the service's outcomes over every course (archived ones with "
        "--all), by the NHS Talking Therapies definitions:",
        "",
    ]
    lines += [
        f"- {name.replace('_', ' ')}: {text}" for name, text in outcome_definitions(rules).items()
    ]
    gaps = ", ".join(f"{cadence} {days} days" for cadence, days in OVERDUE_DAYS.items())
    lines += [
        "",
        "## Not on track",
        "",
        "From the middle of the acute contract (session ceil(planned x "
        f"{rules.not_on_track_percent}%), `[outcomes] not_on_track_percent` in config.toml, "
        "whose paths `ipt doctor` names) "
        "a course whose primary measure shows no reliable improvement on its baseline is "
        f"not on track: {NOT_ON_TRACK_ADVICE}. Only a later reliable improvement clears it; "
        "no command does.",
        "",
        "## Follow-up",
        "",
        f"- no appointment, held or missed, for longer than the cadence allows ({gaps}) while "
        "the course is open;",
        f"- sessions unsigned for more than {SIGN_WITHIN_DAYS} days (`[record] sign_within_days`).",
        "",
        "`ipt list` shows each under the course's row; `ipt list --json` gives "
        "`not_on_track`, `days_without_session` and `unsigned_overdue`.",
    ]
    return lines


def _adaptation(adaptation: catalogue.Adaptation) -> list[str]:
    lines = [f"## {_heading(adaptation.name, adaptation.id)}", "", adaptation.summary, ""]
    defaults = [f"{adaptation.planned_sessions} sessions"]
    for phase, count in (
        ("an initial", adaptation.initial_sessions),
        ("a termination", adaptation.termination_sessions),
    ):
        if count is not None:
            defaults.append(f"{phase} phase of {count} session{'' if count == 1 else 's'}")
    lines.append(f"- Defaults: {', '.join(defaults)} (change them with --sessions).")
    lines += [
        f"- {catalogue.task_text(adaptation.id, t)}."
        for t in catalogue.PHASES["initial"].tasks
        if t.id in dict(adaptation.task_texts)
    ]
    lines += [
        f"- Problem area offered: {catalogue.PROBLEM_AREAS[a].name}." for a in adaptation.areas
    ]
    lines += [f"- {note}" for note in adaptation.notes]
    return lines + [f"- Start one with: ipt new-course ID --adaptation {adaptation.id} ...", ""]


def _adaptations(only: str | None = None) -> list[str]:
    if only is not None:
        return _adaptation(catalogue.ADAPTATIONS[only])
    lines = [
        "# Adaptations of IPT",
        "",
        "How IPT is delivered beyond the standard individual adult course. Described in "
        "our own words from published summaries; the manuals themselves are not quoted. "
        "Every session can record who attended (--attendee client, guardian, partner, "
        "interpreter or other:NAME).",
        "",
    ]
    for adaptation in catalogue.ADAPTATIONS.values():
        lines += _adaptation(adaptation)
    return lines


WHOLE_TOPICS = {"stages": _stages, "measures": _measures, "safety": _safety, "outcomes": _outcomes}


def guide(topic: str | None) -> str:
    """The text for a topic (see TOPICS), an area, technique, phase or measure id; or all."""
    if topic is None:
        parts = _phases() + ["", "# Problem areas", ""]
        for area_id in catalogue.PROBLEM_AREAS:
            parts += _area(area_id)
        parts += _stages() + [""] + _techniques() + [""] + _measures() + [""]
        parts += _conditions() + _safety()
        return "\n".join(parts) + "\n"
    if topic in WHOLE_TOPICS:
        lines = WHOLE_TOPICS[topic]()
    elif topic == "phases" or topic in catalogue.PHASES:
        lines = _phases(None if topic == "phases" else topic)
    elif topic == "areas":
        lines = ["# Problem areas", ""]
        for area_id in catalogue.PROBLEM_AREAS:
            lines += _area(area_id)
    elif topic in catalogue.PROBLEM_AREAS:
        lines = _area(topic) + (_stages() if topic == "role-dispute" else [])
    elif topic == "techniques" or topic in catalogue.TECHNIQUES:
        lines = _techniques(None if topic == "techniques" else topic)
    elif topic in measures.INSTRUMENTS:
        lines = _measure(measures.INSTRUMENTS[topic])
    elif topic == "conditions" or topic in catalogue.CONDITIONS:
        lines = _conditions(None if topic == "conditions" else topic)
    elif topic == "fidelity":
        # lazy: keeps the models (pydantic) off start-up
        from ipt_cli.views.record import guide_fidelity

        lines = guide_fidelity()
    elif topic == "adaptations" or topic in catalogue.ADAPTATIONS:
        lines = _adaptations(None if topic == "adaptations" else topic)
    else:
        raise InputError(
            f"unknown guide topic {topic!r}; try one of: {', '.join(TOPICS)}, "
            "or an area, technique, measure or condition id"
        )
    return "\n".join(lines).rstrip() + "\n"


def _either(words: object) -> str:
    """'none|passive|active': a vocabulary as a command line's choice."""
    return "|".join(vocabulary.words(words))


def _urgent_rules() -> str:
    """Every urgent risk rule of the instruments, from their definitions: 'PHQ-9 item 9 >= 2,
    ..., PHQ-A serious thoughts of ending life in the past month = yes'."""
    rules = []
    for instrument in measures.INSTRUMENTS.values():
        if instrument.risk_item is not None and instrument.urgent_risk is not None:
            rules.append(f"{instrument.name} item {instrument.risk_item} >= "
                         f"{instrument.urgent_risk}")  # fmt: skip
        for question in instrument.risk_questions:
            if question.urgent:
                rules.append(f"{instrument.name} {question.label} = yes")
            elif question.lifetime:
                rules.append(f"{instrument.name} {question.label} = yes, previously no")
    return "; ".join(rules)


def _risk_lines(instrument: measures.Instrument) -> list[str]:
    """What raises a safety flag or an alert."""
    lines: list[str] = []
    if instrument.risk_item:
        urgent = f" ({instrument.urgent_risk} or more: URGENT)" if instrument.urgent_risk else ""
        lines.append(f"- Item {instrument.risk_item} >= 1 raises a safety flag{urgent}.")
    for question in instrument.risk_questions:
        if question.lifetime:
            raises = (
                "the first yes on record raises a safety flag; a yes after a no is URGENT; a "
                "yes as before, reviewed on an earlier day, is history and raises none"
            )
        else:
            raises = "yes raises a safety flag" + (" (URGENT)" if question.urgent else "")
        lines.append(f"- Asked yes/no: {question.question} ({question.label}): {raises}.")
    if instrument.alert:
        lines.append(
            f"- A total at or above the cut-off is a {instrument.alert} (not a safety flag), "
            f"shown in every view: {instrument.alert_advice}."
        )
    return lines


def _change_lines(instrument: measures.Instrument) -> list[str]:
    """How change is read: reliable change, caseness, or the points only."""
    lines: list[str] = []
    if instrument.reliable_change and instrument.caseness is None:
        lines.append(
            f"- Reliable change: >= {instrument.reliable_change} points, an improvement or a "
            "deterioration (a setting). No caseness convention: reliable recovery is n/a."
        )
    elif instrument.reliable_change:
        lines.append(
            f"- Reliable change: >= {instrument.reliable_change} points, an improvement or a "
            f"deterioration. Caseness: >= {instrument.caseness}; reliable recovery is a "
            "reliable improvement from a case to below caseness."
        )
    elif instrument.response_rule or instrument.remission_max is not None:
        lines.append(
            "- No reliable-change convention: response and remission only, unless "
            "config.toml sets thresholds (`ipt doctor` names its paths)."
        )
    else:
        lines.append(
            "- No reliable-change convention: the change in points only, unless config.toml "
            "sets a threshold (`ipt doctor` names its paths)."
        )
    if instrument is measures.PHQA:
        lines.append(
            "- Its reliable change and caseness are by default the adult PHQ-9's (6 points, "
            "10; NHS Talking Therapies): the sources give no adolescent figures."
        )
    return lines
