"""Condition profiles in the core: the catalogue, the new instruments' scoring and the
eating-disorder summary (docs/clinical-rules.md, "Condition profiles")."""

import datetime as dt

import pytest
from pydantic import ValidationError

from ipt_cli.core import catalogue, measures, vocabulary
from ipt_cli.core.changes import measure_fields
from ipt_cli.core.models import Lsas, MiniSpin, Pcl5
from ipt_cli.core.planning import build_agenda, instruments_used
from ipt_cli.core.progress import build_report, course_non_response, course_row, eating_summary
from ipt_cli.errors import InputError
from ipt_cli.store.format import MIGRATIONS
from tests.unit.builders import START, TODAY, course, phq9, session, week


def test_every_condition_is_profiled_and_keeps_the_phq9() -> None:
    assert list(catalogue.CONDITIONS) == list(vocabulary.words(vocabulary.ConditionId))
    for profile in catalogue.CONDITIONS.values():
        assert "phq9" in profile.measures, profile.id  # the depression and risk screen
        assert profile.measures[0] == profile.primary
        assert profile.psychoeducation and profile.sick_role and profile.symptom_review


def test_pcl5_scores_clusters_without_bands_or_remission() -> None:
    items = [4] * 5 + [3] * 2 + [2] * 7 + [1] * 6
    assert measures.cluster_scores(measures.PCL5, items) == {
        "intrusion": 20,
        "avoidance": 6,
        "negative_cognitions_mood": 14,
        "arousal_reactivity": 6,
    }
    assert measures.severity(46, measures.PCL5.bands) is None
    result = measures.outcome(measures.PCL5, 50, 40, measures.ScoringRules())
    assert (result.remission, result.reliable_improvement, result.reliable_recovery) == (
        None,
        True,
        None,
    )
    assert (
        measures.outcome(measures.PCL5, 50, 41, measures.ScoringRules()).reliable_improvement
        is False
    )
    rules = measures.ScoringRules(cutoff={"pcl5": 31})
    assert (rules.cutoff_of(measures.PCL5), rules.cutoff_of(measures.MINI_SPIN)) == (31, 6)


def test_the_provisional_dsm5_rule_needs_1_b_1_c_2_d_2_e_items_at_2() -> None:
    met = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    assert measures.pcl5_dsm5_rule(met)
    one_d = met[:8] + [1] + met[9:]
    assert not measures.pcl5_dsm5_rule(one_d)
    no_c = met[:5] + [1, 1] + met[7:]
    assert not measures.pcl5_dsm5_rule(no_c)


def test_the_new_measures_check_their_ranges() -> None:
    with pytest.raises(ValidationError):
        Pcl5(items=[5] + [0] * 19)
    with pytest.raises(ValidationError):
        MiniSpin(total=13)
    with pytest.raises(ValidationError):
        Lsas(total=145)
    with pytest.raises(InputError, match="--compensatory"):
        measure_fields(compensatory=1000)
    assert measure_fields(edeq_global="2.5", binges=0) == {"edeq_global": 2.5, "binges": 0}


def test_the_schema_4_step_changes_nothing() -> None:
    document = {"schema_version": 3, "id": "ab", "sessions": [{"date": START}]}
    assert MIGRATIONS[3](dict(document)) == document


def test_a_ptsd_course_offers_the_pcl5_first_and_reports_it_first() -> None:
    made = course(condition="ptsd", baseline={"date": START, "phq9": phq9(8)})
    assert instruments_used(made) == ["pcl5", "phq9"]
    assert list(build_report(made, TODAY).measures) == ["pcl5", "phq9"]
    assert course_row(made).primary == "pcl5"
    assert instruments_used(course()) == ["phq9"]  # depression: as before


def test_eating_summary_windows_and_abstinence() -> None:
    assert eating_summary(course(condition="eating-disorder")) is None
    one = eating_summary(course(sessions=[session(week(1), binges=3)]))
    assert one is not None
    assert (one.first_weeks(), one.recent_weeks(), one.change()) == (3.0, None, None)
    assert (one.current_abstinence_days, one.abstinent) == (0, False)
    fortnightly = [
        session(START + dt.timedelta(weeks=2 * n), binges=b) for n, b in enumerate([4, 2, 0])
    ]
    summary = eating_summary(course(sessions=fortnightly))
    assert summary is not None
    assert [w.days for w in summary.weeks] == [7, 14, 14]
    assert [w.binges_per_week for w in summary.weeks] == [4.0, 1.0, 0.0]
    assert (summary.current_abstinence_days, summary.abstinent) == (14, False)
    assert summary.edeq == [] and summary.edeq_change is None


def test_agendas_keep_depression_wording_and_use_the_profile_otherwise() -> None:
    plain = build_agenda(course(), 5, week(5))
    assert catalogue.SYMPTOM_RATING in plain.items
    ptsd = build_agenda(course(condition="ptsd"), 5, week(5))
    assert catalogue.CONDITIONS["ptsd"].symptom_review in ptsd.items
    assert catalogue.SYMPTOM_RATING not in ptsd.items


def test_non_response_is_judged_on_the_profile_primary() -> None:
    def pcl5(total: int) -> dict[str, list[int]]:
        return {"items": [min(4, max(0, total - 4 * n)) for n in range(20)]}

    baseline = {"date": START, "phq9": phq9(15), "pcl5": pcl5(50)}
    responded = course(
        condition="ptsd",
        baseline=baseline,
        sessions=[session(week(2), phq9=phq9(14), pcl5=pcl5(20))],
    )
    assert course_non_response(responded) is None  # the PHQ-9 alone would say no response
    assert course_non_response(responded.model_copy(update={"condition": "depression"}))
    stuck = course(condition="ptsd", baseline=baseline, sessions=[session(week(2), pcl5=pcl5(45))])
    advice = course_non_response(stuck)
    assert advice is not None
    assert advice.startswith("No reliable improvement on PCL-5 (50 to 45, -5 points")
    eating = course(
        condition="eating-disorder", baseline=baseline, sessions=[session(week(2), phq9=phq9(14))]
    )
    assert course_non_response(eating) is None
