"""An HL7 FHIR R4 Bundle (type collection) of a course's scores, as plain JSON (the
standard library's json module; the tests validate it with the fhir.resources models).

Per sitting and instrument with a checked LOINC code (core/loinc.py): an Observation for the
total (status final, category survey, the sitting's date, valueInteger) and, for the PHQ-9,
one per item (its LOINC answer) and a panel Observation whose members they are. The subject
is `Patient/<course id>`: no name, no alias, and no free text anywhere.

Every resource's id comes from the course id, its creation time and the resource's place
(sitting, instrument, item), so exporting again gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

from ipt_cli.core import loinc
from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.research import ResearchRow, Score

CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
NAMESPACE = uuid.UUID("8f0c3b52-4f1e-4d55-9a7e-2b6f1c0d9e31")  # ipt's own, fixed forever


def exported_instruments() -> list[str]:
    return list(loinc.CODES)


def _coding(code: loinc.Code) -> dict[str, Any]:
    return {"system": loinc.SYSTEM, "code": code.code, "display": code.display}


class _Builder:
    def __init__(self, course_id: str, created: dt.datetime) -> None:
        self.course_id = course_id
        self.key = f"{course_id}/{created.astimezone(dt.UTC).isoformat()}"
        self.entries: list[dict[str, Any]] = []

    def id_for(self, *parts: object) -> str:
        return str(uuid.uuid5(NAMESPACE, "/".join([self.key, *map(str, parts)])))

    def observation(
        self, place: tuple[object, ...], row: ResearchRow, code: dict[str, Any], **value: Any
    ) -> str:
        """Add one Observation; return the reference other resources use for it."""
        resource_id = self.id_for(*place)
        resource = {
            "resourceType": "Observation",
            "id": resource_id,
            "status": "final",
            "category": [CATEGORY],
            "code": code,
            "subject": {"reference": f"Patient/{self.course_id}"},
            "effectiveDateTime": row.date.isoformat(),
            **value,
        }
        reference = f"urn:uuid:{resource_id}"
        self.entries.append({"fullUrl": reference, "resource": resource})
        return reference

    def score(self, row: ResearchRow, score: Score) -> None:
        codes = loinc.CODES[score.instrument]
        name = INSTRUMENTS[score.instrument].name
        place = (row.track, row.session, score.instrument)
        members = [
            self.observation(
                (*place, "total"),
                row,
                code={"coding": [_coding(codes.total)], "text": f"{name} total score"},
                valueInteger=score.total,
            )
        ]
        if codes.items and codes.panel:
            for number, value in score.items:
                answer = codes.answers[value]
                members.append(
                    self.observation(
                        (*place, "item", number),
                        row,
                        code={
                            "coding": [{"system": loinc.SYSTEM, "code": codes.items[number - 1]}],
                            "text": f"{name} item {number}",
                        },
                        valueCodeableConcept={"coding": [_coding(answer)], "text": answer.display},
                    )
                )
            self.observation(
                (*place, "panel"),
                row,
                code={"coding": [_coding(codes.panel)], "text": name},
                hasMember=[{"reference": member} for member in members],
            )


def fhir_bundle(
    course_id: str, created: dt.datetime, research: Iterable[ResearchRow], stamp: dt.datetime
) -> dict[str, Any]:
    builder = _Builder(course_id, created)
    for row in research:
        for score in row.scores:
            if score.instrument in loinc.CODES:
                builder.score(row, score)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": builder.id_for("bundle"),
        "type": "collection",
        "timestamp": stamp.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
    }
    if builder.entries:  # FHIR forbids an empty array
        bundle["entry"] = builder.entries
    return bundle


def fhir_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=True) + "\n"  # ASCII: any output encoding
