"""Schema pieces every domain shares."""
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate


class Schema(ma.Schema):
    """Unknown fields are an error on input, so a typo never passes silently."""

    class Meta:
        unknown = ma.RAISE


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant with an offset (required on input), shown in a zone.

    The zone is read from the dumped object at `zone_from` (e.g. "unit.timezone"),
    falling back to ANBAO_TIMEZONE.
    """

    def __init__(self, zone_from: str | None = None, **kwargs):
        super().__init__(format="iso", **kwargs)
        self.zone_from = zone_from

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        zone = None
        if self.zone_from:
            zone = obj
            for part in self.zone_from.split("."):
                zone = getattr(zone, part, None)
        zone = zone or current_app.config["TIMEZONE"]
        return value.astimezone(ZoneInfo(zone)).isoformat()


def _validators(length, kwargs) -> list:
    extra = kwargs.pop("validate", None)
    return [length] + ([extra] if extra else [])


def text(max_length: int, **kwargs) -> fields.String:
    """A trimmed text field with a length limit."""
    return Trimmed(validate=_validators(validate.Length(max=max_length), kwargs), **kwargs)


def required_text(max_length: int, **kwargs) -> fields.String:
    return Trimmed(required=True,
                   validate=_validators(validate.Length(min=1, max=max_length), kwargs), **kwargs)


class Trimmed(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def count(**kwargs) -> fields.Integer:
    """A non-negative whole number."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000_000), **kwargs)


def enum(values, **kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(values), **kwargs)


class Id(fields.Integer):
    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=1, max=2**63 - 1), **kwargs)
