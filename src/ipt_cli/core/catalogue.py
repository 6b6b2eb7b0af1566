"""IPT's clinical structure as data: phases, problem areas, dispute stages, techniques.

Written in our own words from ../shared/ipt-domain.md. No I/O; ids are stable because stored
sessions refer to them.
"""

from __future__ import annotations

from ipt_cli.core import vocabulary
from ipt_cli.core.structs import struct


@struct(frozen=True)
class Item:
    """Anything with a stable id and a one-line text."""

    id: str
    text: str
    label: str = ""  # a few words, for narrow places such as the plan's focus column

    @property
    def short(self) -> str:
        return self.label or self.text


@struct(frozen=True)
class ProblemArea:
    id: vocabulary.ProblemAreaId
    name: str
    when_chosen: str
    goals: tuple[Item, ...]
    strategies: tuple[Item, ...]
    phrase: str = ""  # the area in a sentence: "linked to {phrase}"

    @property
    def in_words(self) -> str:
        return self.phrase or self.name.lower()


@struct(frozen=True)
class Phase:
    id: str
    name: str
    summary: str
    tasks: tuple[Item, ...]


PROBLEM_AREAS: dict[str, ProblemArea] = {
    area.id: area
    for area in (
        ProblemArea(
            id="grief",
            name="Grief",
            when_chosen="The episode is linked to a death, even one long past.",
            goals=(
                Item("grief-mourning", "Help the mourning process along"),
                Item("grief-reconnect", "Rebuild interests and relationships"),
            ),
            strategies=(
                Item("grief-link-onset", "Link the onset of symptoms to the death"),
                Item(
                    "grief-reconstruct",
                    "Reconstruct the relationship with the person who died, good and bad sides",
                ),
                Item("grief-events", "Go through the events before, during and after the death"),
                Item("grief-feelings", "Explore feelings, including guilt, anger and ambivalence"),
                Item("grief-new-involvement", "Consider new ways of being involved with others"),
            ),
        ),
        ProblemArea(
            id="role-dispute",
            name="Role dispute",
            phrase="a role dispute",
            when_chosen="A relationship carries expectations that do not match, openly or not.",
            goals=(
                Item("dispute-identify", "Identify the dispute"),
                Item("dispute-plan", "Choose a plan of action"),
                Item(
                    "dispute-resolve",
                    "Change expectations or faulty communication until it is resolved",
                ),
            ),
            strategies=(
                Item("dispute-link-onset", "Link the onset of symptoms to the dispute"),
                Item(
                    "dispute-clarify",
                    "Clarify the issues and the differing expectations and values",
                ),
                Item("dispute-options", "Set out the options and the resources for change"),
                Item("dispute-parallels", "Look for parallels in other relationships"),
                Item(
                    "dispute-gains",
                    "Ask what the pattern gains the patient and which assumptions drive it",
                ),
                Item("dispute-maintenance", "Ask how the dispute keeps going"),
                Item(
                    "dispute-techniques",
                    "Use communication analysis, role-play and decision analysis",
                ),
            ),
        ),
        ProblemArea(
            id="role-transition",
            name="Role transition",
            phrase="a role transition",
            when_chosen=(
                "The episode follows a life change: a job, a move, retirement, separation, "
                "parenthood, illness, migration."
            ),
            goals=(
                Item("transition-mourn-old", "Mourn and accept the loss of the old role"),
                Item("transition-new-role", "See the new role more positively"),
                Item(
                    "transition-mastery",
                    "Regain self-esteem through a sense of mastery of the new role",
                ),
            ),
            strategies=(
                Item(
                    "transition-link-onset",
                    "Link the symptoms to difficulty coping with the change",
                ),
                Item(
                    "transition-review-roles",
                    "Review the good and bad sides of the old role and of the new one",
                ),
                Item("transition-feelings", "Explore feelings about the loss and about the change"),
                Item("transition-realistic-loss", "Judge realistically what was lost"),
                Item("transition-opportunities", "Explore the opportunities in the new role"),
                Item("transition-support", "Build social support and new skills"),
            ),
        ),
        ProblemArea(
            id="interpersonal-deficits",
            name="Interpersonal deficits",
            when_chosen=(
                "Only when nothing else applies: no death, dispute or life change, and few "
                "attachments. Outcomes tend to be weaker; consider alternatives if no response."
            ),
            goals=(
                Item("deficits-reduce-isolation", "Reduce isolation"),
                Item("deficits-relationships", "Form new relationships or revive old ones"),
            ),
            strategies=(
                Item("deficits-link-onset", "Link the symptoms to isolation"),
                Item(
                    "deficits-past-relationships",
                    "Review past relationships, their good and bad sides",
                ),
                Item("deficits-patterns", "Identify repeating patterns"),
                Item(
                    "deficits-therapist-sample",
                    "Use feelings about the therapist as a sample of relating to others",
                ),
                Item("deficits-rehearse", "Rehearse social steps through role-play"),
            ),
        ),
    )
}

# IPSRT's added problem area (ipt-domain.md section 6): offered only in IPSRT courses.
LOST_HEALTHY_SELF: vocabulary.ProblemAreaId = "lost-healthy-self"
PROBLEM_AREAS[LOST_HEALTHY_SELF] = ProblemArea(
    id=LOST_HEALTHY_SELF,
    name="Grief for the lost healthy self",
    phrase="grief for the lost healthy self",
    when_chosen=(
        "IPSRT courses only: the person mourns the life and the self they had, or hoped "
        "for, before a long-term mood illness."
    ),
    goals=(
        Item("healthy-self-mourn", "Mourn what the illness has taken or changed"),
        Item("healthy-self-accept", "Accept the illness and live well with it"),
    ),
    strategies=(
        Item(
            "healthy-self-link-onset",
            "Link episodes and their aftermath to what the person feels they have lost",
        ),
        Item(
            "healthy-self-feelings",
            "Explore feelings about the diagnosis: sadness, anger, denial, relief",
        ),
        Item(
            "healthy-self-realistic",
            "Judge realistically what remains possible, and what the illness does not decide",
        ),
        Item(
            "healthy-self-new-goals",
            "Set goals that fit life with the illness, keeping the rhythms that protect it",
        ),
    ),
)


_DISPUTE_STAGE_TEXTS: dict[vocabulary.DisputeStageId, str] = {
    "renegotiation": (
        "Both people are trying to change things: calm things down and help negotiation"
    ),
    "impasse": (
        "Talking has stopped and resentment simmers: bring the disagreement into the open to "
        "restart negotiation (conflict may rise for a while)"
    ),
    "dissolution": (
        "The relationship cannot be repaired: help the patient end it and mourn it, then "
        "work on it as a role transition"
    ),
}
DISPUTE_STAGES: dict[str, Item] = {
    stage: Item(stage, text) for stage, text in _DISPUTE_STAGE_TEXTS.items()
}

# At the dissolution stage the relationship cannot be repaired: the work is to end it, mourn
# it and face the transition ahead (ipt-domain.md section 2), not to renegotiate.
DISSOLUTION_STRATEGIES: tuple[Item, ...] = (
    Item(
        "dissolution-ending",
        "Help the patient end the relationship in the way that costs the least",
    ),
    Item(
        "dissolution-mourning",
        "Mourn the relationship: its good and bad sides, and what ends with it",
    ),
    Item(
        "dissolution-transition",
        "Face the transition ahead as a role transition: the new role, support and skills",
    ),
)

_TECHNIQUE_TEXTS: dict[vocabulary.TechniqueId, str] = {
    "exploration": (
        "Open questions (nondirective exploration) or focused ones (direct elicitation) "
        "about what matters"
    ),
    "encouragement-of-affect": (
        "Help the patient express, accept and use painful feelings about events"
    ),
    "clarification": (
        "Restate, summarise or point out contradictions so assumptions become explicit"
    ),
    "communication-analysis": (
        "Go step by step through a charged exchange to find where it went wrong"
    ),
    "decision-analysis": "List the options, weigh pros and cons, and choose one to try",
    "role-play": "Rehearse a conversation with the therapist playing the other person",
    "therapeutic-relationship": (
        "Look at feelings about the therapist only as a mirror of outside patterns"
    ),
    "work-at-home": "Agreed between-session interpersonal tasks (optional)",
}
TECHNIQUES: dict[str, Item] = {
    technique: Item(technique, text) for technique, text in _TECHNIQUE_TEXTS.items()
}

PHASES: dict[str, Phase] = {
    phase.id: phase
    for phase in (
        Phase(
            id="initial",
            name="Initial",
            summary="Assessment, inventory, problem area, formulation and contract",
            tasks=(
                Item(
                    "symptom-review",
                    "Review symptoms against diagnostic criteria (DSM or ICD)",
                    label="symptom review",
                ),
                Item(
                    "name-illness",
                    "Name the illness and give psychoeducation",
                    label="psychoeducation",
                ),
                Item(
                    "sick-role",
                    "Give the sick role: excused from some duties, agreeing to work at recovery",
                    label="sick role",
                ),
                Item("medication", "Decide whether medication is needed", label="medication"),
                Item(
                    "inventory",
                    "Take the interpersonal inventory, noting changes around the onset",
                    label="inventory",
                ),
                Item(
                    "problem-area",
                    "Choose one main problem area (at most one secondary)",
                    label="problem area",
                ),
                Item(
                    "formulation",
                    "Give the interpersonal formulation and get the patient's agreement",
                    label="formulation",
                ),
                Item(
                    "contract",
                    "Agree the contract: goals, here-and-now focus, number and dates of sessions",
                    label="contract",
                ),
            ),
        ),
        Phase(
            id="middle",
            name="Middle",
            summary="Work on the problem area; link mood and events each week",
            tasks=(
                Item(
                    "opening-question",
                    "Opening question: how have things been since we last met? Link mood and "
                    "events both ways",
                ),
                Item("symptom-rating", "Symptom rating, checking the risk item first"),
                Item(
                    "problem-area-work",
                    "Work on an event of the week in the problem area, using the techniques",
                ),
                Item("plan-week", "Plan the coming week"),
                Item("summary", "Summarise and count the sessions"),
            ),
        ),
        Phase(
            id="termination",
            name="Termination",
            summary="Review, relapse warning signs, feelings about ending, what comes next",
            tasks=(
                Item(
                    "review-change",
                    "Review the change in symptoms and in the problem area; credit the gains "
                    "to the patient",
                ),
                Item("warning-signs", "Agree relapse warning signs and a plan for them"),
                Item(
                    "ending-feelings",
                    "Acknowledge feelings about ending, a small loss in its own right",
                ),
                Item("remaining-issues", "Note remaining issues"),
                Item(
                    "next-steps",
                    "Decide on continuation or maintenance; without a response, offer another "
                    "treatment rather than more of the same",
                ),
            ),
        ),
    )
}

MAINTENANCE_PHASE = Phase(
    id="maintenance",
    name="Maintenance",
    summary="A new contract after the acute course, usually monthly: keep the gains",
    tasks=(
        Item(
            "opening-question",
            "Opening question: how have things been since we last met? Link mood and events",
        ),
        Item("symptom-rating", "Symptom rating, checking the risk item first"),
        Item(
            "warning-signs",
            "Check the relapse warning signs agreed at the ending, and the plan for them",
        ),
        Item(
            "problem-area",
            "Review the problem area: keep the gains, and work on any new event in it",
        ),
        Item(
            "risk",
            "Review risk: thoughts of death or self-harm since the last session, the safety plan",
        ),
        Item("plan", "Plan until the next session"),
    ),
)
PHASES[MAINTENANCE_PHASE.id] = MAINTENANCE_PHASE

PHASE_ORDER = ("initial", "middle", "termination")

# The symptom rating of every session (ipt-domain.md section 4): the risk item first.
SYMPTOM_RATING = "Symptom rating, checking the risk item first"
BASELINE_RATING = "Baseline symptom rating (PHQ-9), checking the risk item first"
SUMMARY = "Summarise and count the sessions"
CONTINUE_ASSESSMENT = "Continue the assessment: finish any initial task still open"
LAST_SESSION = "This is the last session of the course: review it together and say goodbye"
CADENCES = vocabulary.words(vocabulary.CadenceId)
COURSE_KINDS = vocabulary.words(vocabulary.CourseKindId)

ENDING_REMINDER = "Raise the coming end of the course explicitly"
CRISIS_GUIDANCE = (
    "If you are in danger or thinking of ending your life, contact your local emergency "
    "number or a crisis line now, or tell someone you trust. ipt is a record-keeping aid, "
    "not a crisis service."
)
REFERRAL_ADVICE = (
    "WHO Group IPT (2016) refers a client still symptomatic at the end, and Weissman et al. "
    "(2018) advise offering another treatment: consider a referral (--decision referral)"
)
NON_RESPONSE_ADVICE = (
    "the IPT manuals advise offering a different treatment rather than more of the same "
    "(maintenance IPT is a contract made after a response)"
)
SAFETY_NOTICE = (
    "SAFETY: a risk item was scored above zero, or a risk question answered yes. Review risk "
    "now and record it with "
    "`ipt risk-review`."
)


def goal_fields(areas: list[str]) -> list[dict[str, str]]:
    """The goals a new course starts with: each area's catalogue goals (unknown areas are
    skipped here and refused by validation)."""
    return [
        {"id": goal.id, "text": goal.text, "area": area}
        for area in areas
        if area in PROBLEM_AREAS
        for goal in PROBLEM_AREAS[area].goals
    ]


def offered_measures(condition: str, adaptation: str) -> tuple[str, ...]:
    """The measures a course offers at assessment and every session, in the order shown: a
    depression course shows its adaptation's measures first (a perinatal course's EPDS),
    another condition its primary measure first. The adaptation's screen stands in for the
    PHQ-9 (an IPT-A course's PHQ-A)."""
    adapted = ADAPTATIONS.get(adaptation, ADAPTATIONS[DEFAULT_ADAPTATION])
    own = tuple(adapted.screen if m == "phq9" else m for m in CONDITIONS[condition].measures)
    lead = adapted.measures
    ordered = lead + own if condition == "depression" else own[:1] + lead + own[1:]
    return tuple(dict.fromkeys(ordered))


def in_shown_order(ids: list[str], condition: str, adaptation: str) -> list[str]:
    """Instrument ids in the order a course shows its measures (offered_measures: a perinatal
    course's EPDS first, an IPSRT course's PHQ-9 then ASRM), the rest as given: the one
    order of the baseline line, the SAFETY notice, the flags and the note."""
    rank = {m: n for n, m in enumerate(offered_measures(condition, adaptation))}
    return sorted(ids, key=lambda i: rank.get(i, len(rank)))  # stable: the rest as given


def primary_measure(condition: str, adaptation: str) -> str:
    """The headline measure: the condition's, with the adaptation's screen for the PHQ-9."""
    primary = CONDITIONS[condition].primary
    adapted = ADAPTATIONS.get(adaptation, ADAPTATIONS[DEFAULT_ADAPTATION])
    return adapted.screen if primary == "phq9" else primary


def symptom_review(condition: str, adaptation: str, baseline: bool = False) -> str:
    """The agenda's symptom-rating line: a depression course's in its adaptation's words
    (the measures it offers), else the condition profile's."""
    adapted = ADAPTATIONS.get(adaptation, ADAPTATIONS[DEFAULT_ADAPTATION])
    profile = CONDITIONS[condition]
    own = adapted.baseline_review if baseline else adapted.symptom_review
    if condition == "depression" and own is not None:
        return own
    return profile.baseline_review if baseline else profile.symptom_review


def strategies_of(areas: list[str]) -> list[Item]:
    """The strategies of these problem areas; a role dispute includes those of dissolution."""
    found = [s for area in areas for s in PROBLEM_AREAS[area].strategies]
    if "role-dispute" in areas:
        found += DISSOLUTION_STRATEGIES
    return found


def strategy_ids(areas: list[str]) -> set[str]:
    return {s.id for s in strategies_of(areas)}


@struct(frozen=True)
class Adaptation:
    """One way IPT is delivered (ipt-domain.md section 6), as the defaults a new course takes
    and what its agendas add. Paraphrased from published descriptions, never manual text."""

    id: vocabulary.AdaptationId
    name: str
    summary: str
    planned_sessions: int
    initial_sessions: int | None = None  # a default phase span, stored on the new course
    termination_sessions: int | None = None
    areas: tuple[str, ...] = ()  # problem areas offered beyond the four
    task_texts: tuple[tuple[str, str], ...] = ()  # initial-task id -> the adapted text
    guardian: bool = False  # a parent or guardian takes part (start, mid-course, end)
    partner: bool = False  # the partner may attend sessions
    rhythm_log: bool = False  # the daily social-rhythm log is kept and reviewed
    notes: tuple[str, ...] = ()  # for `ipt guide adaptations`
    # Measures offered at assessment and every session, in the order shown (a depression
    # course shows them first); `screen` is offered in place of the PHQ-9 (IPT-A: PHQ-A).
    measures: tuple[str, ...] = ()
    screen: str = "phq9"
    # A depression course's agenda lines for the symptom rating (None: the condition's).
    symptom_review: str | None = None
    baseline_review: str | None = None


ADAPTATIONS: dict[str, Adaptation] = {
    a.id: a
    for a in (
        Adaptation(
            id="standard",
            name="Standard individual IPT",
            summary="Weekly individual sessions for an adult, usually 12-16.",
            planned_sessions=16,
        ),
        Adaptation(
            id="brief",
            name="Brief IPT (IPT-B)",
            summary="A shorter course: 8 sessions with a 2-session initial phase, for when "
            "time or access is limited.",
            planned_sessions=8,
            initial_sessions=2,
            notes=(
                "A related primary-care form (IPC) uses a flexible, smaller number of "
                "sessions: set it with --sessions.",
            ),
        ),
        Adaptation(
            id="adolescent",
            name="IPT for adolescents (IPT-A)",
            summary="For ages 12-18: 12 sessions, a limited sick role and a parent or "
            "guardian involved.",
            planned_sessions=12,
            # Mufson et al. (2004): initial phase sessions 1-4, middle 5-8, termination 9-12.
            initial_sessions=4,
            termination_sessions=4,
            task_texts=(
                (
                    "sick-role",
                    "Give a limited sick role: the young person keeps going to school and "
                    "doing what they can while working at recovery",
                ),
            ),
            guardian=True,
            notes=(
                "A parent or guardian joins part of the first session, may join one in the "
                "middle of the course, and joins the end; the agenda plans these sessions.",
                "The guardian and who consented, and when, are required at the assessment "
                "(--guardian, --consent-by, --consent-date); without a guardian, who "
                "consented and why (--consent-by, --consent-reason).",
                "A weekly mood rating and the closeness circle of the inventory fit this "
                "age group well.",
                "The PHQ-A (--phqa, with --phqa-suicidal-thoughts and --phqa-attempt) is "
                "offered in place of the PHQ-9 at the assessment and every session: item 9 "
                "above 0, or a yes to either suicide question, raises a safety flag.",
            ),
            measures=("phqa",),
            screen="phqa",
            symptom_review="Symptom rating (PHQ-A), checking item 9 and the two suicide "
            "questions first",
            baseline_review="Baseline symptom rating (PHQ-A), checking item 9 and the two "
            "suicide questions first",
        ),
        Adaptation(
            id="perinatal",
            name="Perinatal IPT",
            summary="In pregnancy and the year after birth: the partner may attend sessions.",
            planned_sessions=12,
            partner=True,
            notes=(
                "Record who attended each session with --attendee partner; role transitions "
                "into parenthood and disputes with the partner are common foci.",
                "The EPDS (--epds, ten items as scored 0-3) is offered at the assessment and "
                "every session, shown first; its item 10 (thoughts of self-harm) raises a "
                "safety flag as PHQ-9 item 9 does.",
            ),
            measures=("epds", "phq9"),
            symptom_review="Symptom rating (EPDS, PHQ-9), checking EPDS item 10 and PHQ-9 "
            "item 9 first",
            baseline_review="Baseline symptom rating (EPDS, PHQ-9), checking EPDS item 10 and "
            "PHQ-9 item 9 first",
        ),
        Adaptation(
            id="ipsrt",
            name="Interpersonal and social rhythm therapy (IPSRT)",
            summary="For bipolar disorder: IPT plus regular daily rhythms, tracked in a daily "
            "social-rhythm log.",
            planned_sessions=16,
            areas=(LOST_HEALTHY_SELF,),
            task_texts=(
                (
                    "medication",
                    "Review medication adherence and side effects; liaise with the prescriber",
                ),
            ),
            rhythm_log=True,
            notes=(
                "The log (`ipt rhythm`) records five daily anchors: out of bed, first "
                "contact with another person, start of work or the day's main activity, "
                "dinner and bedtime, with a mood rating from -5 to +5.",
                "Each session reviews the log; the aim is steadier timing, not earlier "
                "or later times.",
                "Adds the problem area: grief for the lost healthy self.",
                "Both poles are watched at every session: the PHQ-9 and the ASRM (--asrm, "
                "five items 0-4). An ASRM of 6 or more is a mania alert: contact the "
                "prescriber; check sleep and the social rhythm.",
            ),
            measures=("phq9", "asrm"),
            symptom_review="Symptom rating of both poles (PHQ-9, ASRM), checking PHQ-9 item 9 "
            "first; an ASRM of 6 or more: contact the prescriber, check sleep and rhythm",
            baseline_review="Baseline symptom rating of both poles (PHQ-9, ASRM), checking "
            "PHQ-9 item 9 first",
        ),
        Adaptation(
            id="group",
            name="Group IPT (WHO model)",
            summary="An individual pre-group session, then 8 weekly group sessions run by "
            "trained, supervised facilitators.",
            planned_sessions=8,
            initial_sessions=1,
            termination_sessions=1,
            notes=(
                "Each member has a course of this adaptation: its assessment is the "
                "individual pre-group session (symptoms, inventory, problem area, "
                "preparing for the group).",
                "Group session 1 is the initial phase; sessions 2-7 the middle (symptom "
                "review, linking symptoms and events, members suggesting options to each "
                "other, decision analysis, tasks between sessions); session 8 the ending.",
                "`ipt group` keeps the membership, attendance and the group's notes in the "
                "group's own file; each member's scores and private notes stay in the "
                "member's course. Individual meetings between group sessions (as in "
                "IPT-G) are ordinary sessions of the member's course: widen its contract "
                "first (ipt contract ID --sessions 9 --reason ...) so that every group "
                "session still fits.",
                "Problem areas as in individual IPT; loneliness and isolation is the "
                "interpersonal-deficits area.",
            ),
        ),
    )
}
GROUP_ENDING_NOTICE = 2  # middle group sessions this close to the end say so
GROUP_PHASES: dict[str, Phase] = {
    phase.id: phase
    for phase in (
        Phase(
            id="initial",
            name="Initial (group session 1)",
            summary="Members meet, agree how the group works and share their focus",
            tasks=(
                Item("welcome", "Welcome; agree the group's rules: confidentiality, respect"),
                Item(
                    "symptoms",
                    "Explain depression as an illness that can be treated; symptom rating "
                    "for each member, risk item first",
                ),
                Item(
                    "share-focus",
                    "Each member says which problem area links to their depression, and a "
                    "goal for the group",
                ),
                Item("plan-week", "Agree a small step for each member before the next session"),
            ),
        ),
        Phase(
            id="middle",
            name="Middle (group sessions 2-7)",
            summary="Work on each member's problem area, with the group's help",
            tasks=(
                Item("symptoms", "Symptom review for each member, risk item first"),
                Item("link", "Link each member's mood this week with what happened"),
                Item(
                    "options",
                    "Members suggest options to each other for the problems raised",
                ),
                Item("decide", "Decision analysis: weigh the options, choose one to try"),
                Item("tasks", "Each member agrees a task before the next session"),
            ),
        ),
        Phase(
            id="termination",
            name="Termination (group session 8)",
            summary="Review, warning signs, plans, goodbyes, referral where needed",
            tasks=(
                Item("symptoms", "Final symptom rating for each member, risk item first"),
                Item("review", "Review what each member has changed; credit them with it"),
                Item("warning-signs", "Each member names their warning signs and a plan"),
                Item("ending", "Acknowledge feelings about the group ending"),
                Item(
                    "referral",
                    "Refer on any member still symptomatic; agree any further contact",
                ),
            ),
        ),
    )
}
# The sessions of the initial phase, and of the termination phase, of a course of N
# planned sessions unless overridden or set by its adaptation: (at least N, span), first
# match. 3 from 10 sessions, 2 from 6 (IPT-B: 8 sessions, a 2-session initial phase), else
# 1, so that every length from 4 keeps a middle phase (docs/clinical-rules.md).
PHASE_SPANS = ((10, 3), (6, 2), (0, 1))


def phase_span_words() -> str:
    """'3; 2 in a course of 6-9, 1 below 6': PHASE_SPANS in words (`new-course --help`)."""
    (top, first), *rest = PHASE_SPANS
    words, upper = [str(first)], top
    for least, span in rest:
        words.append(
            f"{span} in a course of {least}-{upper - 1}" if least else f"{span} below {upper}"
        )
        upper = least
    return f"{words[0]}; {', '.join(words[1:])}"


DEFAULT_ADAPTATION = "standard"
ATTENDEE_ROLES = ("client", "guardian", "partner", "interpreter")
OTHER_ATTENDEE = "other:"
GUARDIAN_JOINS = "A parent or guardian joins part of this session"
PARTNER_MAY_ATTEND = "The partner may attend: agree with the client whether to invite them"
RHYTHM_REVIEW = "Review the social rhythm log since the last session"
# The log's latest day is before the last session: nothing to review since it.
RHYTHM_STALE = "Social rhythm log"
# Why a guardian joins each of the sessions IPT-A plans for them (start, middle, end).
GUARDIAN_PURPOSES = (
    "hear how depression affects the young person, the limited sick role and the plan, "
    "and how they can support it",
    "review progress and practise talking about a difficulty together (optional)",
    "review the gains, the warning signs of a return and what to do then",
)


def areas_offered(adaptation: str) -> list[str]:
    """The problem areas a course of this adaptation may choose."""
    extra = ADAPTATIONS[adaptation].areas if adaptation in ADAPTATIONS else ()
    return [a for a in PROBLEM_AREAS if a not in (LOST_HEALTHY_SELF,) or a in extra]


def task_text(adaptation: str, task: Item) -> str:
    """An initial-phase task as this adaptation words it."""
    found = ADAPTATIONS.get(adaptation)
    return dict(found.task_texts).get(task.id, task.text) if found else task.text


# Fidelity (adherence) items: what a rater checks a session against, paraphrased from the
# phase tasks, the weekly agenda and the problem-area strategies above (ipt-domain.md
# sections 1-4 and 8). Each is rated done, partly, not done or not applicable. The ids are
# stable: stored ratings refer to them. `ipt guide fidelity` prints them.
FIDELITY_PHASE_ITEMS: dict[str, tuple[Item, ...]] = {
    "initial": (
        Item("init-symptoms", "Reviewed symptoms against diagnostic criteria; took a rating"),
        Item("init-psychoeducation", "Named the illness and gave psychoeducation"),
        Item("init-sick-role", "Gave the sick role"),
        Item("init-medication", "Considered whether medication is needed"),
        Item("init-inventory", "Worked on the interpersonal inventory, around the onset"),
        Item("init-problem-area", "Worked towards one main problem area"),
        Item("init-formulation", "Gave or revisited the formulation and sought agreement"),
        Item("init-contract", "Agreed the contract: goals, focus, number and dates of sessions"),
    ),
    "middle": (
        Item("mid-opening", "Opened with how things have been; linked mood and events"),
        Item("mid-rating", "Rated symptoms, checking the risk item first"),
        Item("mid-event", "Worked on an interpersonal event of the week in the problem area"),
        Item("mid-techniques", "Used IPT techniques (clarification, communication analysis...)"),
        Item("mid-here-and-now", "Kept the focus on current relationships, here and now"),
        Item("mid-plan", "Planned the coming week"),
        Item("mid-count", "Summarised and counted the sessions (session n of N)"),
    ),
    "termination": (
        Item("term-review", "Reviewed change in symptoms and problem area; credited the client"),
        Item("term-warning-signs", "Agreed relapse warning signs and a plan for them"),
        Item("term-feelings", "Acknowledged feelings about ending"),
        Item("term-remaining", "Noted remaining issues"),
        Item("term-next-steps", "Decided on what follows; another treatment if no response"),
    ),
    "maintenance": (
        Item("maint-opening", "Opened with how things have been; linked mood and events"),
        Item("maint-rating", "Rated symptoms, checking the risk item first"),
        Item("maint-warning-signs", "Checked the relapse warning signs and the plan for them"),
        Item("maint-problem-area", "Reviewed the problem area: kept the gains, any new event"),
        Item("maint-risk", "Reviewed risk since the last session, and the safety plan"),
        Item("maint-plan", "Planned until the next session"),
    ),
}

# Rated in middle-phase sessions, for the session's focus area (else the course's primary
# area).
FIDELITY_AREA_ITEMS: dict[str, tuple[Item, ...]] = {
    "grief": (
        Item("grief-fid-onset", "Linked the onset of symptoms to the death"),
        Item("grief-fid-relationship", "Reconstructed the relationship, good and bad sides"),
        Item("grief-fid-events", "Went through events before, during and after the death"),
        Item("grief-fid-feelings", "Explored feelings, including guilt, anger, ambivalence"),
        Item("grief-fid-involvement", "Considered new ways of being involved with others"),
    ),
    "role-dispute": (
        Item("dispute-fid-onset", "Linked the onset of symptoms to the dispute"),
        Item("dispute-fid-stage", "Judged the stage of the dispute"),
        Item("dispute-fid-expectations", "Clarified the differing expectations and values"),
        Item("dispute-fid-options", "Set out options and resources for change"),
        Item("dispute-fid-parallels", "Looked for parallels in other relationships"),
        Item(
            "dispute-fid-communication",
            "Used communication analysis, role-play or decision analysis",
        ),
    ),
    "role-transition": (
        Item("transition-fid-onset", "Linked the symptoms to difficulty coping with the change"),
        Item("transition-fid-roles", "Reviewed good and bad sides of the old and new roles"),
        Item("transition-fid-feelings", "Explored feelings about the loss and the change"),
        Item("transition-fid-opportunities", "Explored the opportunities of the new role"),
        Item("transition-fid-support", "Worked on social support and new skills"),
    ),
    "interpersonal-deficits": (
        Item("deficits-fid-isolation", "Linked the symptoms to isolation"),
        Item("deficits-fid-past", "Reviewed past relationships, good and bad sides"),
        Item("deficits-fid-patterns", "Identified repeating patterns"),
        Item("deficits-fid-therapist", "Used the relationship with the therapist as a sample"),
        Item("deficits-fid-rehearse", "Rehearsed social steps, e.g. through role-play"),
    ),
}

_FIDELITY_SCORE_WORDS: dict[vocabulary.FidelityScoreId, str] = {
    "done": "done",
    "partly": "partly done",
    "not-done": "not done",
    "na": "not applicable",
}
FIDELITY_SCORES: dict[str, str] = dict(_FIDELITY_SCORE_WORDS.items())


def fidelity_items(phase: str, area: str | None) -> tuple[Item, ...]:
    """The items a session of `phase` is rated against; a middle-phase session adds its
    problem area's items."""
    items = FIDELITY_PHASE_ITEMS.get(phase, ())
    if phase == "middle" and area in FIDELITY_AREA_ITEMS:
        items += FIDELITY_AREA_ITEMS[area]
    return items


def all_fidelity_items() -> dict[str, Item]:
    """Every fidelity item by id."""
    found = [i for group in FIDELITY_PHASE_ITEMS.values() for i in group]
    found += [i for group in FIDELITY_AREA_ITEMS.values() for i in group]
    return {item.id: item for item in found}


@struct(frozen=True)
class PlanSection:
    """A section of the safety plan: its stored field, heading, what goes in it, and the
    repeatable option that sets it (`ipt safety-plan COURSE_ID edit --warning-sign TEXT`)."""

    field: str
    heading: str
    prompt: str
    option: str


# The sections of a safety plan, after Stanley and Brown (ipt-domain.md section 8): six
# steps, and the reasons for living many services add.
SAFETY_PLAN_SECTIONS: tuple[PlanSection, ...] = (
    PlanSection(
        "warning_signs",
        "Warning signs",
        "Thoughts, moods, situations or behaviour that a crisis may be coming",
        "--warning-sign",
    ),
    PlanSection(
        "coping_strategies",
        "Internal coping strategies",
        "Things to do alone to take the mind off problems",
        "--coping",
    ),
    PlanSection(
        "distractions",
        "People and places that distract",
        "People and social settings that help take the mind off things",
        "--distraction",
    ),
    PlanSection(
        "helpers",
        "People to ask for help",
        "People to ask for help, with how to reach them",
        "--helper",
    ),
    PlanSection(
        "professionals",
        "Professionals and agencies",
        "Clinicians, services and crisis lines to contact, with their numbers",
        "--professional",
    ),
    PlanSection(
        "environment",
        "Making the environment safe",
        "Steps to keep lethal means away or out of reach",
        "--environment",
    ),
    PlanSection(
        "reasons_for_living",
        "Reasons for living",
        "What matters most and is worth living for",
        "--reason",
    ),
)


@struct(frozen=True)
class ConditionProfile:
    """What a condition changes in a course: what is measured and said. The interpersonal
    work (problem areas, phases, techniques) stays IPT's. Texts are paraphrased from
    ipt-domain.md section 9, never a manual's wording. The PHQ-9 (with its risk item) is
    offered in every profile as the depression and risk screen."""

    id: vocabulary.ConditionId
    name: str
    primary: str  # the headline instrument id, or "binges" (eating disorders: episodes)
    measures: tuple[str, ...]  # offered at assessment and every session, primary first
    psychoeducation: str
    sick_role: str
    symptom_review: str  # the agenda's weekly symptom-rating line
    baseline_review: str  # the agenda's baseline symptom-rating line
    adaptation: str  # the IPT adaptation and its sources, in a sentence

    @property
    def primary_name(self) -> str:
        return PRIMARY_NAMES.get(self.primary, self.primary)


EPISODES = "binges"  # the eating-disorder primary outcome: binge episodes per week
PRIMARY_NAMES = {
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "pcl5": "PCL-5",
    "mini_spin": "Mini-SPIN",
    "lsas": "LSAS-SR",
    EPISODES: "binge episodes per week",
}
EATING_MEASURES = ("binges", "compensatory", "edeq_global")  # counts, not instruments

CONDITIONS: dict[str, ConditionProfile] = {
    profile.id: profile
    for profile in (
        ConditionProfile(
            id="depression",
            name="Depression",
            primary="phq9",
            measures=("phq9", "gad7", "hamd17", "bdi2"),
            psychoeducation=(
                "Depression is a common, treatable illness, not a failing; its symptoms are "
                "linked to what is happening in the person's relationships"
            ),
            sick_role=(
                "Excused from some duties while ill, agreeing in return to work at recovery"
            ),
            symptom_review=SYMPTOM_RATING,
            baseline_review=BASELINE_RATING,
            adaptation="IPT as first developed (Klerman, Weissman): the PHQ-9 is the outcome",
        ),
        ConditionProfile(
            id="anxiety",
            name="Anxiety",
            primary="gad7",
            measures=("gad7", "phq9"),
            psychoeducation=(
                "Anxiety is a treatable condition; worry and tension rise and fall with "
                "stresses in relationships and life changes"
            ),
            sick_role=(
                "Anxiety is recognised as a condition that limits for now; the person keeps up "
                "what they can and works at recovery"
            ),
            symptom_review="Symptom rating (GAD-7, PHQ-9), checking the PHQ-9 risk item first",
            baseline_review=(
                "Baseline symptom rating (GAD-7, PHQ-9), checking the PHQ-9 risk item first"
            ),
            adaptation="IPT adapted for anxiety disorders: the GAD-7 is the outcome",
        ),
        ConditionProfile(
            id="social-anxiety",
            name="Social anxiety",
            primary="mini_spin",
            measures=("mini_spin", "lsas", "phq9"),
            psychoeducation=(
                "Social anxiety is a treatable condition, not shyness or a flaw of character; "
                "fear of being judged narrows relationships, and the work widens them"
            ),
            sick_role=(
                "Social anxiety is recognised as a condition that limits for now; avoidance "
                "is understood, and the person agrees to try small steps with others"
            ),
            symptom_review=(
                "Symptom rating (Mini-SPIN or LSAS-SR total, PHQ-9), checking the PHQ-9 risk "
                "item first"
            ),
            baseline_review=(
                "Baseline symptom rating (Mini-SPIN and/or LSAS-SR total, PHQ-9), checking the "
                "PHQ-9 risk item first"
            ),
            adaptation=(
                "IPT adapted for social anxiety: the Mini-SPIN (0-12, cut-off 6) and the "
                "LSAS-SR (0-144), totals only (both copyrighted)"
            ),
        ),
        ConditionProfile(
            id="eating-disorder",
            name="Eating disorder (bulimia nervosa, binge-eating disorder)",
            primary=EPISODES,
            measures=("binges", "compensatory", "edeq_global", "phq9"),
            psychoeducation=(
                "Binge eating is a treatable problem that is kept going by difficulties in "
                "relationships; as these ease, the eating problem usually eases too"
            ),
            sick_role=(
                "The eating problem is recognised as a condition, not a lack of will; the "
                "person agrees to keep a weekly count and to work on the problem area"
            ),
            symptom_review=(
                "Symptom review: binge episodes and compensatory behaviours since the last "
                "session, the PHQ-9 (risk item first)"
            ),
            baseline_review=(
                "Baseline review: binge episodes and compensatory behaviours per week, the "
                "EDE-Q global score, the PHQ-9 (risk item first)"
            ),
            adaptation=(
                "IPT for bulimia nervosa and binge-eating disorder (Fairburn, Wilfley): weekly "
                "counts; abstinence from binges over 28 days is the usual outcome"
            ),
        ),
        ConditionProfile(
            id="ptsd",
            name="Post-traumatic stress (PTSD)",
            primary="pcl5",
            measures=("pcl5", "phq9"),
            psychoeducation=(
                "PTSD is a treatable response to trauma; it often cuts a person off from others, "
                "and rebuilding trust and contact is the focus, without reliving the trauma"
            ),
            sick_role=(
                "PTSD is recognised as an illness that limits for now; the person is excused "
                "from some demands and agrees to work at reconnecting with others"
            ),
            symptom_review="Symptom rating (PCL-5, PHQ-9), checking the PHQ-9 risk item first",
            baseline_review=(
                "Baseline symptom rating (PCL-5, PHQ-9), checking the PHQ-9 risk item first"
            ),
            adaptation=(
                "IPT for PTSD (Markowitz): an interpersonal focus without trauma exposure; the "
                "PCL-5 (public domain) is the outcome"
            ),
        ),
    )
}
