"""Scenario templates: the starting text of a new plan, one data file per scenario.

`plans/scenario_templates/<scenario>.json` holds, per language (`zh_CN`, `en`), a `title`
and the seven `sections`; a `levels` object may override the title or sections per level.
Add a language or refine a text by editing the file."""
import json
from functools import cache
from pathlib import Path

from plans.models import SECTIONS

FOLDER = Path(__file__).resolve().parent / "scenario_templates"


@cache
def _load(scenario: str) -> dict:
    """The scenario's data file; an empty template when there is none (yet)."""
    path = FOLDER / f"{scenario}.json"
    if not path.exists():
        return {"zh_CN": {"title": "", "sections": {}}}
    return json.loads(path.read_text(encoding="utf-8"))


def template(scenario: str, level: str, language: str) -> dict:
    """{"title", "sections"} for a new plan, in `language` (zh_CN when it has none)."""
    data = _load(scenario)
    text = data.get(language) or data["zh_CN"]
    override = text.get("levels", {}).get(level, {})
    sections = {key: text["sections"].get(key, "") for key in SECTIONS}
    sections.update(override.get("sections", {}))
    return {"title": override.get("title", text["title"]), "sections": sections}
