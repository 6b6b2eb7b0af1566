"""Symptom measures: item ranges, totals, severity bands, risk items, response and remission.

Pure functions over plain integers; the published rules are in ../shared/ipt-domain.md §5.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from ipt_cli.core.structs import field, struct


@struct(frozen=True)
class Band:
    low: int
    high: int
    label: str


@struct(frozen=True)
class Cluster:
    id: str
    name: str
    first: int  # 1-based item numbers, inclusive
    last: int


@struct(frozen=True)
class Cutoff:
    """A named screening cut-off: a total at or above `score` screens positive for `label`
    (the EPDS: 10 possible depression, 13 probable depression)."""

    score: int
    label: str


@struct(frozen=True)
class ScoreOption:
    """A command-line option of `ipt session` and `ipt new-course` that takes scores: its
    parameter name (the option is --name with dashes: `phq9_difficulty`, --phq9-difficulty),
    its metavar and help, and what it takes: `text` as typed ('1,0,2,...', '2.75'), `int`
    a whole number, `answer` yes or no."""

    name: str
    metavar: str | None
    help: str
    kind: Literal["text", "int", "answer"] = "text"

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@struct(frozen=True)
class RiskQuestion:
    """A yes/no question kept beside an instrument's items whose "yes" raises a safety flag
    (the PHQ-A's two suicide questions). A flag names it as item `item_count + n`."""

    field: str  # the stored key (and the option --<instrument>-<field>)
    label: str  # how a flag names it: "PHQ-A <label> = yes"
    question: str  # the form's question, asked in prompts
    urgent: bool  # a "yes" is URGENT (docs/clinical-rules.md "Urgent risk items")
    # A lifetime question (the PHQ-A's "attempt ever"): a "yes" stays true, so only the first
    # "yes" on record, or a "yes" after a "no", raises a flag (core.safety.lifetime_answers).
    lifetime: bool = False
    help: str = ""  # the help of its option, --<instrument>-<field>


@struct(frozen=True)
class Instrument:
    """One instrument: the one definition its options, record, prompts, report sections
    and exports derive from (docs/architecture.md "Adding an instrument")."""

    id: str
    name: str
    total_max: int
    bands: tuple[Band, ...]  # empty: no empirically derived bands (PCL-5, Mini-SPIN, LSAS-SR)
    remission_max: int | None  # remission at or below this; None: the source defines none
    item_max: tuple[int, ...] = ()  # empty: only the total is stored (BDI-II)
    risk_item: int | None = None  # 1-based item number whose score >= 1 raises a flag
    urgent_risk: int | None = None  # a risk score at or above this is urgent
    reliable_change: int | None = None  # points of change counted as reliable
    caseness: int | None = None  # a total at or above this is a clinical case
    item_labels: tuple[str, ...] = ()
    cutoff: int | None = None  # a total at or above this is a positive screen ("above_cutoff")
    clusters: tuple[Cluster, ...] = ()  # item groups scored apart (PCL-5)
    # A sourced >= 50% response rule exists (PHQ-9, GAD-7, HAM-D-17, BDI-II: Domain 5). The
    # PCL-5, Mini-SPIN and LSAS-SR have none (Domain 9-10): their response is null.
    response_rule: bool = True
    # Named cut-offs, lowest first (the EPDS); `cutoff` is the lowest one's score.
    cutoffs: tuple[Cutoff, ...] = ()
    risk_questions: tuple[RiskQuestion, ...] = ()  # yes/no risk questions (PHQ-A)
    # For prompts: the period asked about, the answer scale and the source line to show.
    stem: str = ""
    scale: tuple[str, ...] = ()
    attribution: str = ""
    # A positive screen that is an alert of its own, not a safety flag (the ASRM's mania
    # alert): its name and the advice every view gives with it.
    alert: str = ""
    alert_advice: str = ""
    # The help of its option in `ipt session --help` and `ipt new-course --help`.
    help: str = ""
    # Copyrighted: only the total (and a risk item) is ever stored or shown (BDI-II,
    # Mini-SPIN, LSAS-SR); said in prompts and the guide.
    copyrighted: bool = False
    # A totals-only instrument's option, when it is not --<id> (the BDI-II's --bdi2-total).
    total_option: str = ""
    # Options of the fields a hand-written record in core/models.py keeps beside the scores
    # (the PHQ-9's difficulty answer, the BDI-II's item 9); none for a registered one.
    extra_options: tuple[ScoreOption, ...] = ()

    @property
    def item_count(self) -> int:
        return len(self.item_max)

    def score_options(self) -> tuple[ScoreOption, ...]:
        """Its options, in --help order: the scores (--<id> 'i1,...,iN' for an instrument
        kept as its items, --<id> 0-<max> for a total), the extra fields' options, then a
        yes/no option per risk question (--phqa-suicidal-thoughts)."""
        if self.item_count:
            main = ScoreOption(self.id, f"'i1,...,i{self.item_count}'", self.help)
        else:
            name = self.total_option or self.id
            main = ScoreOption(name, f"0-{self.total_max}", self.help, "int")
        questions = tuple(
            ScoreOption(f"{self.id}_{q.field}", None, q.help, "answer") for q in self.risk_questions
        )
        return (main, *self.extra_options, *questions)

    @property
    def option(self) -> str:
        """The command-line option that takes its scores: --epds, --mini-spin."""
        return "--" + self.id.replace("_", "-")

    def risk_question(self, item: int) -> RiskQuestion | None:
        """The yes/no risk question a flag's item number stands for (after the items)."""
        index = item - self.item_count - 1
        if self.risk_questions and 0 <= index < len(self.risk_questions):
            return self.risk_questions[index]
        return None

    def risk_label(self, item: int, score: int) -> str:
        """'PHQ-9 item 9 = 2', or for a yes/no risk question 'PHQ-A <question> = yes'."""
        question = self.risk_question(item)
        if question is not None:
            return f"{self.name} {question.label} = yes"
        return f"{self.name} item {item} = {score}"


ANSWER_SCALE = ("not at all", "several days", "more than half the days", "nearly every day")
DIFFICULTY_SCALE = (
    "not difficult at all",
    "somewhat difficult",
    "very difficult",
    "extremely difficult",
)
PHQ_ATTRIBUTION = (
    "PHQ-9 and GAD-7: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke "
    "and colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute."
)
PCL5_STEM = "In the past month, how much were you bothered by:"
PCL5_SCALE = ("not at all", "a little bit", "moderately", "quite a bit", "extremely")
TWO_WEEK_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
PHQ9_DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)

PHQ9 = Instrument(
    id="phq9",
    name="PHQ-9",
    item_max=(3,) * 9,
    total_max=27,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    remission_max=4,
    risk_item=9,
    urgent_risk=2,  # issue 26; docs/clinical-rules.md "Urgent risk items"
    help="PHQ-9: nine item scores 0-3.",
    extra_options=(
        ScoreOption(
            "phq9_difficulty",
            "0-3",
            "PHQ-9 'how difficult' answer (stored, never summed).",
            "int",
        ),
    ),
    reliable_change=6,  # NHS Talking Therapies
    caseness=10,
    item_labels=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself - or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite - "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
)

GAD7 = Instrument(
    id="gad7",
    name="GAD-7",
    item_max=(3,) * 7,
    total_max=21,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    remission_max=4,
    reliable_change=4,  # NHS Talking Therapies
    caseness=8,  # NHS Talking Therapies caseness (>= 10 is the GAD cut-off)
    help="GAD-7: seven item scores 0-3.",
    item_labels=(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
)

HAMD17_BAND_SETS: dict[str, tuple[Band, ...]] = {
    # Zimmerman et al. 2013: the default.
    "zimmerman": (
        Band(0, 7, "none"),
        Band(8, 16, "mild"),
        Band(17, 23, "moderate"),
        Band(24, 52, "severe"),
    ),
    # A common alternative split, with a "very severe" top band.
    "alternative": (
        Band(0, 7, "none"),
        Band(8, 13, "mild"),
        Band(14, 18, "moderate"),
        Band(19, 22, "severe"),
        Band(23, 52, "very severe"),
    ),
}

_HAMD_WIDE_ITEMS = {1, 2, 3, 7, 8, 9, 10, 11, 15}  # scored 0-4; the rest 0-2
HAMD17 = Instrument(
    id="hamd17",
    name="HAM-D-17",
    item_max=tuple(4 if n in _HAMD_WIDE_ITEMS else 2 for n in range(1, 18)),
    total_max=52,
    bands=HAMD17_BAND_SETS["zimmerman"],
    remission_max=7,
    risk_item=3,
    urgent_risk=3,
    help="HAM-D-17: items 1,2,3,7-11,15 scored 0-4; the rest 0-2.",
    item_labels=(
        "Depressed mood",
        "Feelings of guilt",
        "Suicide",
        "Insomnia: early",
        "Insomnia: middle",
        "Insomnia: late",
        "Work and activities",
        "Retardation",
        "Agitation",
        "Anxiety: psychic",
        "Anxiety: somatic",
        "Somatic symptoms: gastrointestinal",
        "Somatic symptoms: general",
        "Genital symptoms",
        "Hypochondriasis",
        "Loss of weight",
        "Insight",
    ),
)

# BDI-II is copyrighted: only the total and the item-9 value are ever stored or shown.
BDI2 = Instrument(
    id="bdi2",
    copyrighted=True,
    name="BDI-II",
    total_max=63,
    bands=(
        Band(0, 13, "minimal"),
        Band(14, 19, "mild"),
        Band(20, 28, "moderate"),
        Band(29, 63, "severe"),
    ),
    remission_max=13,
    risk_item=9,
    urgent_risk=2,  # by analogy with the PHQ-9 (docs/clinical-rules.md "Urgent risk items")
    help="BDI-II total (the items are copyrighted).",
    total_option="bdi2_total",
    extra_options=(ScoreOption("bdi2_item9", "0-3", "BDI-II item 9 (suicidal thoughts).", "int"),),
)

# PCL-5 (US National Center for PTSD, public domain; ipt-domain.md section 9): no severity
# bands exist, so none are given; the cut-off and the reliable change are settings.
PCL5 = Instrument(
    id="pcl5",
    name="PCL-5",
    item_max=(4,) * 20,
    total_max=80,
    bands=(),
    remission_max=None,
    reliable_change=10,  # sources give 5-10
    cutoff=33,  # probable PTSD; sources give 31-33 (Blevins et al. 2015 used 33)
    response_rule=False,  # NCPTSD: change in points (5-10 reliable, 10-20 meaningful), no 50%
    help="PCL-5: twenty item scores 0-4.",
    # Short summaries of the items, in order, for prompts: give the patient the published form.
    item_labels=(
        "Intrusive memories of the stressful experience",
        "Disturbing dreams of it",
        "Feeling or acting as if it were happening again",
        "Feeling very upset when reminded of it",
        "Strong physical reactions when reminded of it",
        "Avoiding memories, thoughts or feelings about it",
        "Avoiding external reminders of it",
        "Trouble remembering important parts of it",
        "Strong negative beliefs about yourself, other people or the world",
        "Blaming yourself or someone else for it",
        "Strong negative feelings such as fear, horror, anger, guilt or shame",
        "Loss of interest in activities you used to enjoy",
        "Feeling distant or cut off from other people",
        "Trouble experiencing positive feelings",
        "Irritable behaviour, angry outbursts or acting aggressively",
        "Taking too many risks or doing things that could cause you harm",
        "Being superalert, watchful or on guard",
        "Feeling jumpy or easily startled",
        "Difficulty concentrating",
        "Trouble falling or staying asleep",
    ),
    clusters=(
        Cluster("intrusion", "B intrusion", 1, 5),
        Cluster("avoidance", "C avoidance", 6, 7),
        Cluster("negative_cognitions_mood", "D negative cognitions and mood", 8, 14),
        Cluster("arousal_reactivity", "E arousal and reactivity", 15, 20),
    ),
)

# Copyrighted social-anxiety scales: totals only, no bands, no remission, no reliable change.
MINI_SPIN = Instrument(
    id="mini_spin",
    copyrighted=True,
    name="Mini-SPIN",
    total_max=12,
    bands=(),
    remission_max=None,
    cutoff=6,
    response_rule=False,
    help="Mini-SPIN total (copyrighted: total only).",
)
LSAS = Instrument(
    id="lsas",
    copyrighted=True,
    name="LSAS-SR",
    total_max=144,
    bands=(),
    remission_max=None,
    response_rule=False,
    help="LSAS-SR total (copyrighted: total only).",
)

# EPDS (Cox, Holden & Sagovsky 1987; ipt-domain.md section 10): free to reproduce with the
# source quoted. On the paper form items 3 and 5-10 are printed in reverse (their top answer
# scores 3): the clinician enters each item's scored value, 0-3, never the answer's place.
EPDS_ATTRIBUTION = (
    "EPDS: Cox, J.L., Holden, J.M. and Sagovsky, R. (1987) Detection of postnatal "
    "depression: development of the 10-item Edinburgh Postnatal Depression Scale. British "
    "Journal of Psychiatry 150:782-786. May be reproduced without further permission, "
    "quoting the authors, the title and the source."
)
EPDS = Instrument(
    id="epds",
    name="EPDS",
    item_max=(3,) * 10,
    total_max=30,
    bands=(),  # no severity bands: two screening cut-offs (Cox et al. 1987)
    remission_max=None,  # no remission cut-off in the sources
    risk_item=10,  # "The thought of harming myself has occurred to me"
    urgent_risk=2,  # "sometimes" or "yes, quite often": as PHQ-9 item 9 >= 2
    reliable_change=4,  # Matthey 2004 (a setting)
    cutoff=10,
    cutoffs=(Cutoff(10, "possible depression"), Cutoff(13, "probable depression")),
    response_rule=False,  # no sourced 50% response rule
    stem="In the past 7 days (enter each item's scored value 0-3: items 3 and 5-10 are "
    "printed in reverse on the form):",
    item_labels=(
        "I have been able to laugh and see the funny side of things",
        "I have looked forward with enjoyment to things",
        "I have blamed myself unnecessarily when things went wrong",
        "I have been anxious or worried for no good reason",
        "I have felt scared or panicky for no very good reason",
        "Things have been getting on top of me",
        "I have been so unhappy that I have had difficulty sleeping",
        "I have felt sad or miserable",
        "I have been so unhappy that I have been crying",
        "The thought of harming myself has occurred to me",
    ),
    attribution=EPDS_ATTRIBUTION,
    help="EPDS: ten item scores 0-3, as scored (items 3 and 5-10 are printed in reverse on "
    "the form).",
)

# PHQ-A (the PHQ-9 modified for adolescents; Johnson et al. 2002; ipt-domain.md section 10):
# the nine items in its own order and wording, scored and banded as the PHQ-9, with two
# yes/no suicide questions whose "yes" raises a safety flag.
PHQA_ATTRIBUTION = (
    "PHQ-A: Johnson, J.G., Harris, E.S., Spitzer, R.L. and Williams, J.B.W. (2002) The "
    "Patient Health Questionnaire for Adolescents. Journal of Adolescent Health 30:196-204."
)
PHQA = Instrument(
    id="phqa",
    name="PHQ-A",
    item_max=(3,) * 9,
    total_max=27,
    bands=PHQ9.bands,
    remission_max=PHQ9.remission_max,
    risk_item=9,  # thoughts of being better off dead or of hurting oneself
    urgent_risk=PHQ9.urgent_risk,
    reliable_change=PHQ9.reliable_change,  # the PHQ-9's (a setting): no adolescent figure
    caseness=PHQ9.caseness,
    risk_questions=(
        RiskQuestion(
            "suicidal_thoughts",
            "serious thoughts of ending life in the past month",
            "Has there been a time in the past month when you have had serious thoughts "
            "about ending your life?",
            urgent=True,  # by analogy with PHQ-9 item 9 >= 2 (docs/clinical-rules.md)
            help="PHQ-A: serious thoughts of ending your life in the past month (yes: a "
            "safety flag, URGENT).",
        ),
        RiskQuestion(
            "attempt",
            "suicide attempt ever",
            "Have you ever, in your whole life, tried to kill yourself or made a suicide attempt?",
            urgent=False,  # a lifetime history: a flag to review, not urgent by itself
            lifetime=True,  # "previously no" then "yes" is URGENT; a yes as before no flag
            help="PHQ-A: ever tried to kill yourself or made a suicide attempt (yes: a safety "
            "flag).",
        ),
    ),
    stem="How often have you been bothered by each of the following symptoms during the "
    "past two weeks?",
    scale=ANSWER_SCALE,
    item_labels=(
        "Feeling down, depressed, irritable, or hopeless",
        "Little interest or pleasure in doing things",
        "Trouble falling asleep, staying asleep, or sleeping too much",
        "Poor appetite, weight loss, or overeating",
        "Feeling tired, or having little energy",
        "Feeling bad about yourself - or feeling that you are a failure, or that you have "
        "let yourself or your family down",
        "Trouble concentrating on things like school work, reading, or watching TV",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "- being so fidgety or restless that you were moving around a lot more than usual",
        "Thoughts that you would be better off dead, or of hurting yourself in some way",
    ),
    attribution=PHQA_ATTRIBUTION,
    help="PHQ-A (adolescents): nine item scores 0-3, in the PHQ-A's order.",
)

# ASRM (Altman Self-Rating Mania Scale; Altman et al. 1997; ipt-domain.md section 10): five
# items for the past week, each 0-4 (the number of the statement chosen); 6 or more suggests
# (hypo)mania. Watched with the PHQ-9 at every IPSRT session: both poles.
ASRM_ATTRIBUTION = (
    "ASRM: Altman, E.G., Hedeker, D., Peterson, J.L. and Davis, J.M. (1997) The Altman "
    "Self-Rating Mania Scale. Biological Psychiatry 42:948-955."
)
ASRM_CUTOFF = 6  # possible (hypo)mania (Altman et al. 1997; ipt-domain.md §10)
ASRM = Instrument(
    id="asrm",
    name="ASRM",
    item_max=(4,) * 5,
    total_max=20,
    bands=(),  # no severity bands: one screening cut-off
    remission_max=None,
    cutoff=ASRM_CUTOFF,
    cutoffs=(Cutoff(ASRM_CUTOFF, "possible (hypo)mania"),),
    response_rule=False,  # no sourced response or reliable-change rule: null
    stem="In the past week (enter the number 0-4 of the statement chosen for each item):",
    item_labels=(
        "Feeling happier or more cheerful than usual",
        "Feeling more self-confident than usual",
        "Needing less sleep than usual",
        "Talking more than usual",
        "Being more active than usual (socially, sexually, at work, at home or at school)",
    ),
    attribution=ASRM_ATTRIBUTION,
    alert="MANIA ALERT",
    alert_advice="contact the prescriber; check sleep and the social rhythm (ipt rhythm)",
    help="ASRM (mania): five item scores 0-4; 6 or more is a mania alert.",
)

# The registry: every instrument ipt knows, in the catalogue's order (the order of the
# options, the report's sections and the export columns). A new one is added here, or by
# `register` before the models are built.
INSTRUMENTS: dict[str, Instrument] = {
    i.id: i for i in (PHQ9, GAD7, HAMD17, BDI2, PCL5, MINI_SPIN, LSAS, EPDS, PHQA, ASRM)
}
EDEQ_GLOBAL_MAX = 6  # the EDE-Q global score, 0-6, stored as a total only (copyrighted)

# The eating-disorder self-monitoring since the last sitting: numbers, not instruments.
SELF_MONITORING = (
    ScoreOption("binges", "N", "Objective binge episodes since the last session.", "int"),
    ScoreOption(
        "compensatory",
        "N",
        "Compensatory behaviours since the last session (vomiting, laxatives, fasting, "
        "driven exercise).",
        "int",
    ),
    ScoreOption("edeq_global", "X.XX", "EDE-Q global score 0-6 (total only)."),
)
# Their options follow the LSAS-SR's in --help, where they were added (before the
# adaptations' measures), so the listing keeps its order.
SELF_MONITORING_AFTER = "lsas"


# What has been built from the registry (the options, the models, the settings): an
# instrument registered after would be missing from them, so register() refuses then.
_BUILT: list[str] = []
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,30}")


def built_from_registry(what: str) -> dict[str, Instrument]:
    """The registry, for `what` to be built from it: no instrument is registered after."""
    if not _BUILT:
        _BUILT.append(what)
    return INSTRUMENTS


def register(instrument: Instrument) -> Instrument:
    """Add an instrument kept as its item scores, or as a total only, to the registry: its
    options, record (validation), prompts, report sections and export columns follow from
    the definition alone. Call it before anything is built from the registry (the first
    command module or model imported). A hand-written record's `extra_options`, and a
    totals-only instrument's risk item or risk questions (stored beside the total, as the
    BDI-II's item 9), are the built-in instruments' alone."""
    if _BUILT:
        raise ValueError(
            f"{instrument.name}: register instruments before anything is built from them "
            f"(already built: {_BUILT[0]})"
        )
    if instrument.id in INSTRUMENTS:
        raise ValueError(f"instrument {instrument.id!r} is already registered")
    if not ID_PATTERN.fullmatch(instrument.id):
        raise ValueError(f"{instrument.name}: an id is a-z, 0-9 and _, starting with a letter")
    if instrument.extra_options or instrument.total_option:
        raise ValueError(f"{instrument.name}: extra options need a hand-written record")
    if not instrument.item_max and (instrument.risk_item or instrument.risk_questions):
        raise ValueError(
            f"{instrument.name}: a risk item or question needs the items kept (item_max)"
        )
    INSTRUMENTS[instrument.id] = instrument
    return instrument


def score_options() -> tuple[ScoreOption, ...]:
    """Every option of `ipt session` and `ipt new-course` that takes scores, in --help
    order: each instrument's in the registry's order, the self-monitoring numbers among
    them."""
    found: list[ScoreOption] = []
    for instrument in built_from_registry("the command-line options").values():
        found += instrument.score_options()
        if instrument.id == SELF_MONITORING_AFTER:
            found += SELF_MONITORING
    return tuple(found)


# The provisional DSM-5 rule (ipt-domain.md section 9): per cluster, how many items must be
# rated 2 ("moderately") or more.
PCL5_DSM5_RULE = {
    "intrusion": 1,
    "avoidance": 1,
    "negative_cognitions_mood": 2,
    "arousal_reactivity": 2,
}


def pcl5_dsm5_rule(items: Sequence[int]) -> bool:
    """True when at least 1 B, 1 C, 2 D and 2 E items are rated 2 or more."""
    return all(
        sum(1 for score in items[c.first - 1 : c.last] if score >= 2) >= PCL5_DSM5_RULE[c.id]
        for c in PCL5.clusters
    )


def cluster_scores(instrument: Instrument, items: Sequence[int]) -> dict[str, int]:
    """Each cluster's sum of its items, e.g. the PCL-5's four DSM-5 clusters."""
    return {c.id: sum(items[c.first - 1 : c.last]) for c in instrument.clusters}


def check_items(instrument: Instrument, items: Sequence[int]) -> None:
    """Raise ValueError naming the first wrong item and its allowed range."""
    if len(items) != instrument.item_count:
        raise ValueError(
            f"{instrument.name} needs {instrument.item_count} item scores, got {len(items)}"
        )
    for number, (score, top) in enumerate(zip(items, instrument.item_max, strict=True), 1):
        if not 0 <= score <= top:
            raise ValueError(f"{instrument.name} item {number} must be 0-{top}, got {score}")


def check_range(what: str, value: int, top: int) -> None:
    if not 0 <= value <= top:
        raise ValueError(f"{what} must be 0-{top}, got {value}")


def check_bdi2(total: int, item9: int) -> None:
    """Item 9 is one of the 21 items summed into the total: the total cannot be below it."""
    if total < item9:
        raise ValueError(f"BDI-II total {total} is below its item 9 ({item9}); check both")


def reached_cutoff(instrument: Instrument, total: int) -> Cutoff | None:
    """The highest named cut-off a total reaches (the EPDS: 13, probable depression); None
    below them all, or for an instrument without named cut-offs. The one rule of `screen`,
    the report's screen and the views' Severity readings of the EPDS and the ASRM."""
    reached = [c for c in instrument.cutoffs if total >= c.score]
    return reached[-1] if reached else None


def screen(instrument: Instrument, total: int, cutoff: int | None = None) -> str | None:
    """Where a total stands against the instrument's cut-off(s), in words: 'probable
    depression (13 or more)', 'below the cut-off for possible depression (10)'; for an
    unnamed cut-off 'at or above the cut-off (33)'. None without a cut-off. `cutoff`: the
    configured cut-off of an instrument with one unnamed cut-off."""
    if instrument.cutoffs:
        reached = reached_cutoff(instrument, total)
        if reached is not None:
            return f"{reached.label} ({reached.score} or more)"
        first = instrument.cutoffs[0]
        return f"below the cut-off for {first.label} ({first.score})"
    cut = instrument.cutoff if cutoff is None else cutoff
    if cut is None:
        return None
    return f"{'at or above' if total >= cut else 'below'} the cut-off ({cut})"


def severity(total: int, bands: Sequence[Band]) -> str | None:
    """The band of a total; None for an instrument without bands."""
    if not bands:
        return None
    for band in bands:
        if band.low <= total <= band.high:
            return band.label
    raise ValueError(f"total {total} is outside every band")


@struct(frozen=True)
class ScoringRules:
    """The configurable parts of scoring (sources differ); defaults follow the issues.

    HAM-D-17 and BDI-II have no national reliable-change or caseness convention: unless
    configured, their reliable-change categories and relapse are not computed.
    """

    hamd17_bands: str = "zimmerman"
    reliable_change: dict[str, int] = field(default_factory=dict)
    caseness: dict[str, int] = field(default_factory=dict)
    cutoff: dict[str, int] = field(default_factory=dict)
    # Not on track (core/tracking.py) is judged from this percentage of the planned sessions.
    not_on_track_percent: int = 50

    def bands(self, instrument: Instrument) -> tuple[Band, ...]:
        if instrument is HAMD17:
            return HAMD17_BAND_SETS[self.hamd17_bands]
        return instrument.bands

    def reliable_change_points(self, instrument: Instrument) -> int | None:
        return self.reliable_change.get(instrument.id, instrument.reliable_change)

    def caseness_of(self, instrument: Instrument) -> int | None:
        return self.caseness.get(instrument.id, instrument.caseness)

    def cutoff_of(self, instrument: Instrument) -> int | None:
        return self.cutoff.get(instrument.id, instrument.cutoff)


@struct(frozen=True)
class Outcome:
    """A first score against a later one, by the published rules. One score is not an
    outcome: without a later score every field but the baseline is None."""

    baseline: int | None
    latest: int | None
    change: int | None
    change_percent: float | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None
    # False: below caseness at the baseline (or, with no caseness, already at or below the
    # remission cut-off), so response and remission do not apply; None: no rule to judge by.
    case_at_baseline: bool | None = None

    @property
    def reliable_change(self) -> bool | None:
        """The key scripts already read: reliable change means reliable improvement."""
        return self.reliable_improvement


def case_at_baseline(instrument: Instrument, baseline: int, rules: ScoringRules) -> bool | None:
    """A case at the baseline: at or above the caseness score (NHS Talking Therapies counts
    cases only); with no caseness, above the remission cut-off (remission presupposes an
    episode); None when the instrument has neither."""
    case = rules.caseness_of(instrument)
    if case is not None:
        return baseline >= case
    if instrument.remission_max is not None:
        return baseline > instrument.remission_max
    return None


def outcome(
    instrument: Instrument, baseline: int | None, latest: int | None, rules: ScoringRules
) -> Outcome:
    """Response = latest <= 50% of a positive baseline (only where a source gives that rule);
    remission by the instrument's cut-off; both only for a case at the baseline;
    reliable improvement/deterioration = a fall/rise of at least the reliable-change points;
    reliable recovery = reliable improvement from a case to below caseness."""
    if latest is None or baseline is None:
        return Outcome(baseline, None, None, None, None, None, None, None, None)
    change = latest - baseline
    percent = None
    response = None
    if baseline:  # 0: a percentage or a response is meaningless
        percent = round(change / baseline * 100, 2)
        if instrument.response_rule:
            response = latest * 2 <= baseline
    remission = None if instrument.remission_max is None else latest <= instrument.remission_max
    was_case = case_at_baseline(instrument, baseline, rules)
    if was_case is False:  # never a case: nothing to respond or remit from
        response = remission = None
    improvement = deterioration = recovery = None
    points = rules.reliable_change_points(instrument)
    if points is not None:
        improvement, deterioration = change <= -points, change >= points
        case = rules.caseness_of(instrument)
        if case is not None:
            recovery = improvement and baseline >= case > latest
    return Outcome(
        baseline=baseline,
        latest=latest,
        change=change,
        change_percent=percent,
        response=response,
        remission=remission,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        reliable_recovery=recovery,
        case_at_baseline=was_case,
    )
