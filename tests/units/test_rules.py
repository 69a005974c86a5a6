import dataclasses

import pytest

from units.rules import CampusFacts, Requirement, StaffingFacts, requirements


pytestmark = pytest.mark.usefixtures("english")


def facts(**kw):
    base = {"headcount": 100, "category": "other", "key_security_unit": False}
    return StaffingFacts(**(base | kw))


def only(result, rule):
    found = [r for r in result if r.rule == rule]
    assert len(found) == 1, found
    return found[0]


# --- GZ-6.1: full-time + part-time security staff --------------------------------------------
# Expected values worked by hand: n ≤ 200 → 2, else max(2, ⌈n × 2 / 1000⌉).
@pytest.mark.parametrize(
    ("headcount", "required"),
    [
        (0, 2),
        (200, 2),
        (201, 2),  # ⌈0.402⌉ = 1 → 2
        (500, 2),  # ⌈1.0⌉ = 1 → 2
        (501, 2),  # ⌈1.002⌉ = 2
        (1000, 2),  # 2.0
        (1001, 3),  # ⌈2.002⌉ = 3
        (1500, 3),
        (2000, 4),
        (2001, 5),  # ⌈4.002⌉ = 5
        (2500, 5),
        (10000, 20),
        (10**18 + 1, 2 * 10**15 + 1),  # a float would lose the 0.002
    ],
)
def test_gz_6_1(headcount, required):
    r = only(requirements(facts(headcount=headcount)), "GZ-6.1")
    assert r.required == required
    assert (r.clause, r.kind, r.campus) == ("GZ-(六)1", "security_staff", None)
    assert r.inputs == {"headcount": headcount}
    assert r.arithmetic.endswith(f" {required}")


@pytest.mark.parametrize(
    ("headcount", "arithmetic"),
    [
        (150, "150 ≤ 200 → 2"),
        (250, "max(2, ⌈250 × 2‰⌉) = max(2, 1) = 2"),
        (2001, "max(2, ⌈2001 × 2‰⌉) = max(2, 5) = 5"),
    ],
)
def test_gz_6_1_arithmetic(headcount, arithmetic):
    assert only(requirements(facts(headcount=headcount)), "GZ-6.1").arithmetic == arithmetic


def test_gz_6_1_counts_full_time_and_part_time():
    r = only(requirements(facts(headcount=2500, full_time=3, part_time=2)), "GZ-6.1")
    assert (r.required, r.actual, r.compliant) == (5, 5, True)


# --- GZ-6.2: full-time security staff of key security units -----------------------------------
# n ≤ 200 → 2; 201–500 → 3; 501–2000 → max(3, ⌈n × 5‰⌉); > 2000 → max(10, ⌈n × 4‰⌉).
@pytest.mark.parametrize(
    ("headcount", "required"),
    [
        (0, 2),
        (200, 2),
        (201, 3),
        (500, 3),
        (501, 3),  # ⌈2.505⌉ = 3
        (600, 3),  # 3.0
        (601, 4),  # ⌈3.005⌉ = 4
        (1000, 5),
        (2000, 10),
        (2001, 10),  # ⌈8.004⌉ = 9 → 10
        (2500, 10),
        (2501, 11),  # ⌈10.004⌉ = 11
        (3000, 12),
        (10000, 40),
        (10**18 + 1, 4 * 10**15 + 1),
    ],
)
def test_gz_6_2(headcount, required):
    r = only(requirements(facts(headcount=headcount, key_security_unit=True)), "GZ-6.2")
    assert r.required == required
    assert (r.clause, r.kind, r.campus) == ("GZ-(六)2", "full_time_security_staff", None)
    assert r.inputs == {"headcount": headcount}


@pytest.mark.parametrize(
    ("headcount", "arithmetic"),
    [
        (200, "200 ≤ 200 → 2"),
        (201, "200 < 201 ≤ 500 → 3"),
        (1000, "max(3, ⌈1000 × 5‰⌉) = max(3, 5) = 5"),
        (2001, "max(10, ⌈2001 × 4‰⌉) = max(10, 9) = 10"),
    ],
)
def test_gz_6_2_arithmetic(headcount, arithmetic):
    r = only(requirements(facts(headcount=headcount, key_security_unit=True)), "GZ-6.2")
    assert r.arithmetic == arithmetic


def test_gz_6_2_counts_full_time_only():
    r = only(
        requirements(facts(headcount=1000, key_security_unit=True, full_time=4, part_time=9)),
        "GZ-6.2",
    )
    assert (r.required, r.actual, r.compliant) == (5, 4, False)


# --- GZ-6.3.1: certified guards per school campus ---------------------------------------------
# p < 100 → 1; 100–1000 → 2; > 1000 → 2 + ⌈(p − 1000) / 500⌉.
@pytest.mark.parametrize(
    ("population", "required"),
    [
        (0, 1),
        (99, 1),
        (100, 2),
        (1000, 2),
        (1001, 3),
        (1500, 3),
        (1501, 4),
        (2000, 4),
        (2001, 5),
    ],
)
def test_gz_6_3_1_day_campus(population, required):
    campus = CampusFacts("Main", population, 0)
    r = only(requirements(facts(category="school", campuses=(campus,))), "GZ-6.3.1")
    assert r.required == required
    assert (r.clause, r.kind, r.campus) == ("GZ-(六)3(1)", "guards", "Main")
    assert r.inputs == {"population": population, "boarding_students": 0}


# Boarding: max(base, 2) + ⌈boarders / 300⌉.
@pytest.mark.parametrize(
    ("population", "boarders", "required"),
    [
        # base 1 (p < 100) is lifted to 2
        (50, 0, 1),
        (50, 1, 3),
        (50, 300, 3),
        (50, 301, 4),
        (50, 600, 4),
        (50, 601, 5),
        # base 2
        (800, 0, 2),
        (800, 1, 3),
        (800, 300, 3),
        (800, 301, 4),
        (800, 600, 4),
        (800, 601, 5),
        # base 4 (p = 1501, above 1000)
        (1501, 0, 4),
        (1501, 1, 5),
        (1501, 300, 5),
        (1501, 301, 6),
        (1501, 600, 6),
        (1501, 601, 7),
        # base 5 (p = 2001)
        (2001, 1, 6),
        (2001, 601, 8),
    ],
)
def test_gz_6_3_1_boarding_campus(population, boarders, required):
    campus = CampusFacts("North", population, boarders)
    r = only(requirements(facts(category="school", campuses=(campus,))), "GZ-6.3.1")
    assert r.required == required
    assert r.inputs == {"population": population, "boarding_students": boarders}


@pytest.mark.parametrize(
    ("population", "boarders", "arithmetic"),
    [
        (99, 0, "99 < 100 → 1"),
        (100, 0, "100 ≤ 100 ≤ 1000 → 2"),
        (1501, 0, "2 + ⌈(1501 − 1000) / 500⌉ = 2 + 2 = 4"),
        (50, 301, "50 < 100 → 1; max(1, 2) + ⌈301 / 300⌉ = 2 + 2 = 4"),
        (1501, 601, "2 + ⌈(1501 − 1000) / 500⌉ = 2 + 2 = 4; max(4, 2) + ⌈601 / 300⌉ = 4 + 3 = 7"),
    ],
)
def test_gz_6_3_1_arithmetic(population, boarders, arithmetic):
    campus = CampusFacts("C", population, boarders)
    r = only(requirements(facts(category="school", campuses=(campus,))), "GZ-6.3.1")
    assert r.arithmetic == arithmetic


def test_gz_6_3_1_one_requirement_per_campus_with_its_own_guards():
    school = facts(
        category="school",
        headcount=3000,
        campuses=(
            CampusFacts("East", 1200, 0),
            CampusFacts("West", 90, 0),
            CampusFacts("Hill", 500, 350),
        ),
        certified_guards=9,  # the whole unit; campuses count their own
        certified_guards_by_campus={"East": 3, "Hill": 2, "Elsewhere": 5},
    )
    campus_rules = [r for r in requirements(school) if r.rule == "GZ-6.3.1"]
    assert [(r.campus, r.required, r.actual, r.compliant) for r in campus_rules] == [
        ("East", 3, 3, True),
        ("West", 1, 0, False),  # not in the mapping: none
        ("Hill", 4, 2, False),
    ]


@pytest.mark.parametrize(
    ("headcount", "certified", "required", "compliant"),
    [(0, 0, 1, False), (99, 1, 1, True), (1000, 1, 2, False), (2001, 6, 5, True)],
)
def test_school_without_campuses_is_one_campus(headcount, certified, required, compliant):
    result = requirements(
        facts(category="school", headcount=headcount, certified_guards=certified)
    )
    r = only(result, "GZ-6.3.1")
    assert r.campus is None
    assert r.inputs == {"population": headcount, "boarding_students": 0}
    assert (r.required, r.actual, r.compliant) == (required, certified, compliant)
    assert "no campuses recorded" in r.explanation


# --- GZ-6.3.2: certified guards in hospitals --------------------------------------------------
# max(⌈3% × medical staff⌉, ⌈beds / 20⌉, ⌈3‰ × daily outpatients⌉), the highest one named.
@pytest.mark.parametrize(
    ("hospital", "required", "highest"),
    [
        ((1000, 100, 1000), 30, "the medical staff measure"),  # 30, 5, 3
        ((100, 100, 1000), 5, "the bed measure"),  # 3, 5, 3
        ((100, 20, 3000), 9, "the outpatient measure"),  # 3, 1, 9
        ((34, 0, 0), 2, "the medical staff measure"),  # ⌈1.02⌉
        ((0, 21, 0), 2, "the bed measure"),  # ⌈1.05⌉
        ((0, 0, 334), 2, "the outpatient measure"),  # ⌈1.002⌉
        ((200, 120, 0), 6, "the medical staff measure and the bed measure, which are equal"),
        ((0, 60, 1000), 3, "the bed measure and the outpatient measure, which are equal"),
        ((100, 0, 1000), 3, "the medical staff measure and the outpatient measure, which are equal"),
        ((200, 120, 2000), 6, "all three measures, which are equal"),
        ((1, 1, 1), 1, "all three measures, which are equal"),  # each a partial step
        ((0, 0, 0), 0, "all three measures, which are equal"),
    ],
)
def test_gz_6_3_2(hospital, required, highest):
    r = only(requirements(facts(category="hospital", hospital=hospital)), "GZ-6.3.2")
    assert r.required == required
    assert (r.clause, r.kind, r.campus) == ("GZ-(六)3(2)", "guards", None)
    assert r.inputs == dict(zip(("medical_staff", "beds", "daily_outpatients"), hospital))
    assert f"The highest is given by {highest}," in r.explanation


def test_gz_6_3_2_arithmetic():
    r = only(requirements(facts(category="hospital", hospital=(1000, 500, 2000))), "GZ-6.3.2")
    assert r.arithmetic == "max(⌈1000 × 3%⌉, ⌈500 / 20⌉, ⌈2000 × 3‰⌉) = max(30, 25, 6) = 30"


def test_gz_6_3_2_without_hospital_figures():
    r = only(requirements(facts(category="hospital", certified_guards=1)), "GZ-6.3.2")
    assert (r.required, r.actual, r.compliant) == (0, 1, True)
    assert r.inputs == {"medical_staff": 0, "beds": 0, "daily_outpatients": 0}
    assert "not recorded yet" in r.explanation


@pytest.mark.parametrize(("certified", "compliant"), [(29, False), (30, True), (31, True)])
def test_gz_6_3_2_counts_certified_guards(certified, compliant):
    r = only(
        requirements(
            facts(category="hospital", hospital=(1000, 0, 0), certified_guards=certified)
        ),
        "GZ-6.3.2",
    )
    assert (r.actual, r.compliant) == (certified, compliant)


# --- Which rules apply --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kw", "rules"),
    [
        ({}, ["GZ-6.1"]),
        ({"key_security_unit": True}, ["GZ-6.1", "GZ-6.2"]),
        ({"category": "bank", "key_security_unit": True}, ["GZ-6.1", "GZ-6.2"]),
        ({"category": "school"}, ["GZ-6.1", "GZ-6.3.1"]),
        (
            {"category": "school", "key_security_unit": True, "campuses": (
                CampusFacts("A", 10, 0), CampusFacts("B", 10, 0))},
            ["GZ-6.1", "GZ-6.2", "GZ-6.3.1", "GZ-6.3.1"],
        ),
        ({"category": "hospital"}, ["GZ-6.1", "GZ-6.3.2"]),
        ({"category": "hospital", "key_security_unit": True, "hospital": (1, 2, 3)},
         ["GZ-6.1", "GZ-6.2", "GZ-6.3.2"]),
        # Figures of the other kind are ignored.
        ({"category": "hospital", "campuses": (CampusFacts("A", 10, 0),)}, ["GZ-6.1", "GZ-6.3.2"]),
        ({"category": "school", "hospital": (100, 100, 100)}, ["GZ-6.1", "GZ-6.3.1"]),
        ({"category": "enterprise", "hospital": (100, 100, 100),
          "campuses": (CampusFacts("A", 10, 0),)}, ["GZ-6.1"]),
    ],
)
def test_applicability(kw, rules):
    assert [r.rule for r in requirements(facts(**kw))] == rules


# --- Compliance and explanations ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("required", "actual", "compliant"),
    [(0, 0, True), (2, 1, False), (2, 2, True), (2, 3, True), (10, 0, False)],
)
def test_compliant(required, actual, compliant):
    r = Requirement("GZ-6.1", "GZ-(六)1", "security_staff", None, required, actual, {}, "", "")
    assert r.compliant is compliant


@pytest.mark.parametrize(
    ("full_time", "part_time", "compliant"), [(0, 0, False), (1, 0, False), (1, 1, True), (0, 3, True)]
)
def test_gz_6_1_compliance(full_time, part_time, compliant):
    r = only(requirements(facts(headcount=150, full_time=full_time, part_time=part_time)), "GZ-6.1")
    assert r.compliant is compliant


@pytest.mark.parametrize(
    ("kw", "rule", "phrases"),
    [
        (
            {"headcount": 150, "part_time": 1},
            "GZ-6.1",
            ["Clause GZ-(6)1", "150 people", "at least 2", "on the roster: 1", "Short by 1."],
        ),
        (
            {"headcount": 2500, "full_time": 5},
            "GZ-6.1",
            ["Clause GZ-(6)1", "2500 people", "2 per 1000", "max(2, ⌈2500 × 2‰⌉) = max(2, 5) = 5",
             "Requirement met."],
        ),
        (
            {"headcount": 2500, "key_security_unit": True, "full_time": 4},
            "GZ-6.2",
            ["Clause GZ-(6)2", "key security unit", "4 per 1000", "at least 10", "Short by 6."],
        ),
        (
            {"category": "school", "campuses": (CampusFacts("East", 1501, 301),),
             "certified_guards_by_campus": {"East": 6}},
            "GZ-6.3.1",
            ["Clause GZ-(6)3(1)", "campus “East”", "1501", "301 boarders", "at least 6",
             "Security Guard Certificate", "Requirement met."],
        ),
        (
            {"category": "hospital", "hospital": (100, 100, 1000), "certified_guards": 2},
            "GZ-6.3.2",
            ["Clause GZ-(6)3(2)", "(100 → 3)", "(100 → 5)", "(1000 → 3)", "the bed measure",
             "at least 5", "Short by 3."],
        ),
    ],
)
def test_explanations_are_sentences_with_the_numbers(kw, rule, phrases):
    explanation = only(requirements(facts(**kw)), rule).explanation
    assert isinstance(explanation, str)
    assert explanation.endswith(".")
    for phrase in phrases:
        assert phrase in explanation


def test_explanations_inside_app_contexts():
    import flask
    import flask_babel

    unit = facts(category="hospital", key_security_unit=True, hospital=(100, 100, 1000))
    outside = [r.explanation for r in requirements(unit)]
    app = flask.Flask(__name__)
    with app.app_context():  # Flask-Babel not set up
        assert [r.explanation for r in requirements(unit)] == outside
    flask_babel.Babel(app)
    with app.test_request_context():
        assert [r.explanation for r in requirements(unit)] == outside


def test_facts_and_requirements_are_frozen():
    unit = facts()
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.headcount = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        requirements(unit)[0].required = 0
