"""Staffing rules GZ-(六): how many security staff and guards a unit needs.

Pure functions over plain data; the service layer gathers the facts from the database.
All arithmetic is on integers: ‰ and % are integer fractions and a partial step counts as a
whole one, so ``ceil(a / b)`` is written ``-(-a // b)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from anbao.i18n import cite, gettext

__all__ = [
    "CampusFacts",
    "StaffingFacts",
    "Requirement",
    "requirements",
]




@dataclass(frozen=True)
class CampusFacts:
    name: str
    population: int
    boarding_students: int


@dataclass(frozen=True)
class StaffingFacts:
    headcount: int
    category: str
    key_security_unit: bool
    campuses: tuple[CampusFacts, ...] = ()
    hospital: tuple[int, int, int] | None = None  # (medical_staff, beds, daily_outpatients)
    full_time: int = 0
    part_time: int = 0
    certified_guards: int = 0
    certified_guards_by_campus: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Requirement:
    rule: str
    clause: str
    kind: str
    campus: str | None
    required: int
    actual: int
    inputs: dict
    arithmetic: str
    explanation: str

    @property
    def compliant(self) -> bool:
        return self.actual >= self.required


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _status(required: int, actual: int) -> str:
    if actual >= required:
        return gettext("Requirement met.")
    return gettext("Short by %(missing)s.", missing=required - actual)


def _explain(sentence: str, required: int, actual: int) -> str:
    return f"{cite(sentence)} {_status(required, actual)}"  # GZ-(6)1 in English


def _gz_6_1(facts: StaffingFacts) -> Requirement:
    clause = "GZ-(六)1"
    n = facts.headcount
    actual = facts.full_time + facts.part_time
    if n <= 200:
        required = 2
        arithmetic = f"{n} ≤ 200 → 2"
        sentence = gettext(
            "Clause %(clause)s: a unit of %(headcount)s people (200 or fewer) needs at least "
            "%(required)s full-time or part-time security staff; on the roster: %(actual)s.",
            clause=clause, headcount=n, required=required, actual=actual,
        )
    else:
        share = _ceil_div(n * 2, 1000)
        required = max(2, share)
        arithmetic = f"max(2, ⌈{n} × 2‰⌉) = max(2, {share}) = {required}"
        sentence = gettext(
            "Clause %(clause)s: a unit of %(headcount)s people (more than 200) needs full-time "
            "or part-time security staff of at least 2 per 1000 people, and never fewer than 2: "
            "at least %(required)s (%(arithmetic)s); on the roster: %(actual)s.",
            clause=clause, headcount=n, required=required, actual=actual,
            arithmetic=arithmetic,
        )
    return Requirement(
        rule="GZ-6.1", clause=clause, kind="security_staff", campus=None,
        required=required, actual=actual, inputs={"headcount": n},
        arithmetic=arithmetic, explanation=_explain(sentence, required, actual),
    )


def _gz_6_2(facts: StaffingFacts) -> Requirement:
    clause = "GZ-(六)2"
    n = facts.headcount
    actual = facts.full_time
    common = {"clause": clause, "headcount": n, "actual": actual}
    if n <= 200:
        required = 2
        arithmetic = f"{n} ≤ 200 → 2"
        sentence = gettext(
            "Clause %(clause)s: a key security unit of %(headcount)s people (200 or fewer) "
            "needs at least %(required)s full-time security staff; on the roster: %(actual)s.",
            required=required, **common,
        )
    elif n <= 500:
        required = 3
        arithmetic = f"200 < {n} ≤ 500 → 3"
        sentence = gettext(
            "Clause %(clause)s: a key security unit of %(headcount)s people (201 to 500) "
            "needs at least %(required)s full-time security staff; on the roster: %(actual)s.",
            required=required, **common,
        )
    elif n <= 2000:
        share = _ceil_div(n * 5, 1000)
        required = max(3, share)
        arithmetic = f"max(3, ⌈{n} × 5‰⌉) = max(3, {share}) = {required}"
        sentence = gettext(
            "Clause %(clause)s: a key security unit of %(headcount)s people (501 to 2000) "
            "needs full-time security staff of at least 5 per 1000 people, and never fewer "
            "than 3: at least %(required)s (%(arithmetic)s); on the roster: %(actual)s.",
            required=required, arithmetic=arithmetic, **common,
        )
    else:
        share = _ceil_div(n * 4, 1000)
        required = max(10, share)
        arithmetic = f"max(10, ⌈{n} × 4‰⌉) = max(10, {share}) = {required}"
        sentence = gettext(
            "Clause %(clause)s: a key security unit of %(headcount)s people (more than 2000) "
            "needs full-time security staff of at least 4 per 1000 people, and never fewer "
            "than 10: at least %(required)s (%(arithmetic)s); on the roster: %(actual)s.",
            required=required, arithmetic=arithmetic, **common,
        )
    return Requirement(
        rule="GZ-6.2", clause=clause, kind="full_time_security_staff", campus=None,
        required=required, actual=actual, inputs={"headcount": n},
        arithmetic=arithmetic, explanation=_explain(sentence, required, actual),
    )


def _campus_guards(name: str | None, population: int, boarders: int, actual: int) -> Requirement:
    clause = "GZ-(六)3(1)"
    p = population
    if name is None:
        where = gettext("the school (no campuses recorded)")
    else:
        where = gettext("campus “%(campus)s”", campus=name)
    if p < 100:
        base = 1
        base_arithmetic = f"{p} < 100 → 1"
    elif p <= 1000:
        base = 2
        base_arithmetic = f"100 ≤ {p} ≤ 1000 → 2"
    else:
        steps = _ceil_div(p - 1000, 500)
        base = 2 + steps
        base_arithmetic = f"2 + ⌈({p} − 1000) / 500⌉ = 2 + {steps} = {base}"
    common = {"clause": clause, "where": where, "population": p, "actual": actual}
    if boarders > 0:
        floor = max(base, 2)
        steps = _ceil_div(boarders, 300)
        required = floor + steps
        arithmetic = (
            f"{base_arithmetic}; max({base}, 2) + ⌈{boarders} / 300⌉ = {floor} + {steps} = {required}"
        )
        sentence = gettext(
            "Clause %(clause)s, %(where)s: a boarding campus with %(population)s students and "
            "staff and %(boarders)s boarders needs the number of guards for its size (at least "
            "2) plus 1 for every 300 boarders or part of 300: at least %(required)s guards with "
            "a Security Guard Certificate (%(arithmetic)s); certified guards assigned: "
            "%(actual)s.",
            boarders=boarders, required=required, arithmetic=arithmetic, **common,
        )
    elif p < 100:
        required, arithmetic = base, base_arithmetic
        sentence = gettext(
            "Clause %(clause)s, %(where)s: with %(population)s students and staff (fewer than "
            "100) at least %(required)s guard with a Security Guard Certificate is required; "
            "certified guards assigned: %(actual)s.",
            required=required, **common,
        )
    elif p <= 1000:
        required, arithmetic = base, base_arithmetic
        sentence = gettext(
            "Clause %(clause)s, %(where)s: with %(population)s students and staff (100 to 1000) "
            "at least %(required)s guards with a Security Guard Certificate are required; "
            "certified guards assigned: %(actual)s.",
            required=required, **common,
        )
    else:
        required, arithmetic = base, base_arithmetic
        sentence = gettext(
            "Clause %(clause)s, %(where)s: with %(population)s students and staff (more than "
            "1000) 2 guards are required plus 1 for every further 500 people or part of 500: at "
            "least %(required)s guards with a Security Guard Certificate (%(arithmetic)s); "
            "certified guards assigned: %(actual)s.",
            required=required, arithmetic=arithmetic, **common,
        )
    return Requirement(
        rule="GZ-6.3.1", clause=clause, kind="guards", campus=name,
        required=required, actual=actual,
        inputs={"population": p, "boarding_students": boarders},
        arithmetic=arithmetic, explanation=_explain(sentence, required, actual),
    )


def _gz_6_3_1(facts: StaffingFacts) -> list[Requirement]:
    if not facts.campuses:
        return [_campus_guards(None, facts.headcount, 0, facts.certified_guards)]
    return [
        _campus_guards(
            c.name, c.population, c.boarding_students,
            facts.certified_guards_by_campus.get(c.name, 0),
        )
        for c in facts.campuses
    ]


def _highest(by_staff: int, by_beds: int, by_outpatients: int) -> str:
    top = max(by_staff, by_beds, by_outpatients)
    names = [
        name
        for value, name in (
            (by_staff, gettext("the medical staff measure")),
            (by_beds, gettext("the bed measure")),
            (by_outpatients, gettext("the outpatient measure")),
        )
        if value == top
    ]
    if len(names) == 3:
        return gettext("all three measures, which are equal")
    if len(names) == 2:
        return gettext("%(first)s and %(second)s, which are equal", first=names[0], second=names[1])
    return names[0]


def _gz_6_3_2(facts: StaffingFacts) -> Requirement:
    clause = "GZ-(六)3(2)"
    recorded = facts.hospital is not None
    medical_staff, beds, outpatients = facts.hospital if recorded else (0, 0, 0)
    by_staff = _ceil_div(medical_staff * 3, 100)
    by_beds = _ceil_div(beds, 20)
    by_outpatients = _ceil_div(outpatients * 3, 1000)
    required = max(by_staff, by_beds, by_outpatients)
    actual = facts.certified_guards
    arithmetic = (
        f"max(⌈{medical_staff} × 3%⌉, ⌈{beds} / 20⌉, ⌈{outpatients} × 3‰⌉) = "
        f"max({by_staff}, {by_beds}, {by_outpatients}) = {required}"
    )
    if not recorded:
        sentence = gettext(
            "Clause %(clause)s: the hospital's medical staff, beds and daily outpatients are not "
            "recorded yet, so they count as zero and at least %(required)s guards are required; "
            "certified guards on the roster: %(actual)s. Record the figures to get the real "
            "requirement.",
            clause=clause, required=required, actual=actual,
        )
    else:
        sentence = gettext(
            "Clause %(clause)s: a hospital needs the highest of three measures: 3 guards per 100 "
            "medical staff (%(medical_staff)s → %(by_staff)s), 1 per 20 beds (%(beds)s → "
            "%(by_beds)s) and 3 per 1000 daily outpatients (%(outpatients)s → "
            "%(by_outpatients)s). The highest is given by %(highest)s, so at least %(required)s guards "
            "with a Security Guard Certificate are required; certified guards on the roster: "
            "%(actual)s.",
            clause=clause, medical_staff=medical_staff, by_staff=by_staff, beds=beds,
            by_beds=by_beds, outpatients=outpatients, by_outpatients=by_outpatients,
            highest=_highest(by_staff, by_beds, by_outpatients), required=required,
            actual=actual,
        )
    return Requirement(
        rule="GZ-6.3.2", clause=clause, kind="guards", campus=None,
        required=required, actual=actual,
        inputs={"medical_staff": medical_staff, "beds": beds, "daily_outpatients": outpatients},
        arithmetic=arithmetic, explanation=_explain(sentence, required, actual),
    )


def requirements(facts: StaffingFacts) -> list[Requirement]:
    """Every staffing requirement that applies to the unit, in rule order."""
    result = [_gz_6_1(facts)]
    if facts.key_security_unit:
        result.append(_gz_6_2(facts))
    if facts.category == "school":
        result.extend(_gz_6_3_1(facts))
    if facts.category == "hospital":
        result.append(_gz_6_3_2(facts))
    return result
