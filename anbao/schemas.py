"""Schema pieces every domain shares."""
from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app
from marshmallow import fields, pre_load, validate

from anbao.i18n import lazy_gettext as _l

UNSTORABLE_TEXT = _l("Text may not contain NUL characters or unpaired surrogates.")


# ids are INTEGER columns, 32 bits on PostgreSQL: a larger number names no record, and
# PostgreSQL refuses even to compare it with one ("integer out of range")
MAX_ID = 2**31 - 1


def storable(value) -> bool:
    """Whether every string in `value` can be stored: no NUL (PostgreSQL refuses it) and
    valid UTF-8 (a lone surrogate from a JSON "\\ud800" escape cannot be encoded).

    Iterative, so a deeply nested body cannot exhaust the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return True


class Schema(ma.Schema):
    """Unknown fields are an error on input, so a typo never passes silently."""

    class Meta:
        unknown = ma.RAISE

    @pre_load
    def refuse_unstorable_text(self, data, **kwargs):
        """422 on the field, instead of a database error (500) later."""
        if isinstance(data, Mapping):
            bad = {str(k) if storable(k) else "_schema": [UNSTORABLE_TEXT]
                   for k, v in data.items() if not (storable(k) and storable(v))}
            if bad:
                raise ma.ValidationError(bad)
        return data


# Dates and instants a record may name: far enough either way for any drill, due date or
# report, and far from the edges of datetime, where adding a day or a zone offset overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
OUT_OF_RANGE = _l("Give a date between 1900 and 2199.")


class Day(fields.Date):
    """A date between 1900 and 2199."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ma.ValidationError(str(OUT_OF_RANGE))
        return day


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant with an offset (required on input), shown in a zone.

    The zone is read from the dumped object at `zone_from` (e.g. "unit.timezone"),
    falling back to ANBAO_TIMEZONE.
    """

    def __init__(self, zone_from: str | None = None, **kwargs):
        super().__init__(format="iso", **kwargs)
        self.zone_from = zone_from

    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= instant.date() <= LAST_DAY:
            raise ma.ValidationError(str(OUT_OF_RANGE))
        return instant

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
        super().__init__(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class QueryId(fields.Integer):
    """An id in a query string, where every value arrives as text."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def top_level(schema_class) -> tuple[str, ...]:
    """Fields to make partial for an update: the top level only, so a nested object or list
    item given is given whole (a campus needs its population, a contact its name)."""
    return tuple(schema_class._declared_fields)
