"""Scenario templates: every scenario × level × language starts a plan with real text."""
import itertools
import json
import re

import pytest

from plans import scenarios
from plans.models import LEVELS, SCENARIOS, SECTIONS

LANGUAGES = ("zh_CN", "en")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("scenario", "level", "language"),
                         list(itertools.product(SCENARIOS, LEVELS, LANGUAGES)))
def test_every_template_loads_complete(scenario, level, language):
    start = scenarios.template(scenario, level, language)
    assert set(start) == {"title", "sections"}
    assert start["title"].strip()
    assert set(start["sections"]) == set(SECTIONS)
    for key in SECTIONS:
        assert start["sections"][key].strip(), (scenario, level, language, key)
    if language == "zh_CN":
        assert CHINESE.search(start["title"])
        assert all(CHINESE.search(text) for text in start["sections"].values())
    else:
        assert not CHINESE.search(start["title"])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_data_files_have_the_same_shape_in_both_languages(scenario):
    data = json.loads((scenarios.FOLDER / f"{scenario}.json").read_text(encoding="utf-8"))
    assert set(data) >= set(LANGUAGES)
    for language in LANGUAGES:
        text = data[language]
        assert set(text["sections"]) == set(SECTIONS)
        for level, override in text.get("levels", {}).items():
            assert level in LEVELS
            assert set(override.get("sections", {})) <= set(SECTIONS)
    # the on-site card (现场处置方案) differs from the comprehensive plan
    for language in LANGUAGES:
        onsite = scenarios.template(scenario, "onsite", language)
        comprehensive = scenarios.template(scenario, "comprehensive", language)
        assert onsite["title"] != comprehensive["title"]
        assert onsite["sections"]["response"] != comprehensive["sections"]["response"]
    assert set(data["zh_CN"].get("levels", {})) == set(data["en"].get("levels", {}))


@pytest.mark.parametrize("language", ["fr", "de_DE", "", "xx"])
def test_unknown_language_falls_back_to_chinese(language):
    for scenario in SCENARIOS:
        assert scenarios.template(scenario, "special", language) == \
            scenarios.template(scenario, "special", "zh_CN")


def test_specific_content():
    """Texts a safety officer recognises: the numbers to call and the laws they rest on."""
    zh = {s: scenarios.template(s, "comprehensive", "zh_CN") for s in SCENARIOS}
    assert "一键报警" in zh["theft_robbery"]["sections"]["alerting"]
    assert "110" in zh["theft_robbery"]["sections"]["alerting"]
    assert "119" in zh["accident"]["sections"]["alerting"]
    assert "120" in zh["accident"]["sections"]["alerting"]
    assert "踩踏" in zh["accident"]["sections"]["response"]
    assert "危险" in zh["sabotage"]["sections"]["scope"]
    assert "钢叉" in zh["extreme_individual"]["sections"]["response"]
    assert "反恐怖主义法" in zh["terror_attack"]["sections"]["scope"]
    assert "企业事业单位内部治安保卫条例" in zh["theft_robbery"]["sections"]["scope"]
