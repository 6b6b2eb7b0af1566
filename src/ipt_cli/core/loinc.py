"""LOINC codes for the measures ipt keeps, each checked against LOINC's own pages.

A wrong code silently misfiles a result in another system, so an instrument or part
without a checked code is left out of the FHIR export rather than guessed:
- HAM-D-17 and BDI-II: no code checked;
- the GAD-7 panel (69737-5, named in the issue): not found on a LOINC page, so GAD-7 totals
  are exported without a panel;
- the GAD-7 items: not needed by the export, so not checked.

Sources (Regenstrief LOINC):
- https://cdn.loinc.org/44261-6 : 44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total
  score [Reported]", a member of panel 44249-1 "PHQ-9 quick depression assessment panel
  [Reported.PHQ]".
- https://loinc.org/69729-2 (the PHQ-SADS panel) lists the PHQ-9 items in order - 44250-9,
  44255-8, 44259-0, 44254-1, 44251-7, 44258-2, 44252-5, 44253-3 - and 70274-6
  "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]".
- https://loinc.org/LL358-3 : the PHQ-9 answer list (Not at all 0 LA6568-5, Several days 1
  LA6569-3, More than half the days 2 LA6570-1, Nearly every day 3 LA6571-9) and the item
  terms that use it, among them 44253-3 (item 8, moving or speaking slowly) and 44260-8
  (item 9, thoughts that you would be better off dead or of hurting yourself).

The item codes are not in numeric order: item 2 is 44255-8 and item 3 is 44259-0.
"""

from __future__ import annotations

from ipt_cli.core.structs import struct

SYSTEM = "http://loinc.org"


@struct(frozen=True)
class Code:
    code: str
    display: str


@struct(frozen=True)
class InstrumentCodes:
    total: Code
    panel: Code | None = None
    items: tuple[str, ...] = ()  # LOINC code of item 1, 2, ...
    answers: tuple[Code, ...] = ()  # the answer for an item score of 0, 1, ...


PHQ_ANSWERS = (
    Code("LA6568-5", "Not at all"),
    Code("LA6569-3", "Several days"),
    Code("LA6570-1", "More than half the days"),
    Code("LA6571-9", "Nearly every day"),
)

CODES: dict[str, InstrumentCodes] = {
    "phq9": InstrumentCodes(
        total=Code("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
        panel=Code("44249-1", "PHQ-9 quick depression assessment panel [Reported.PHQ]"),
        items=(
            "44250-9",
            "44255-8",
            "44259-0",
            "44254-1",
            "44251-7",
            "44258-2",
            "44252-5",
            "44253-3",
            "44260-8",
        ),
        answers=PHQ_ANSWERS,
    ),
    "gad7": InstrumentCodes(
        total=Code(
            "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"
        ),
    ),
}
