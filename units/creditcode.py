"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

from anbao.i18n import gettext

__all__ = ["CHARSET", "WEIGHTS", "normalize", "check_character", "error", "make"]

# 31 symbols; a symbol's value is its index. I, O, Z, S and V are never used.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority codes (position 1).
AUTHORITIES = "123456789ANY"

_VALUES = {c: i for i, c in enumerate(CHARSET)}


def normalize(code: str) -> str:
    """The code without surrounding whitespace, in upper case."""
    return code.strip().upper()


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a code."""
    first17 = normalize(first17)
    if len(first17) != 17 or any(c not in _VALUES for c in first17):
        raise ValueError("need 17 characters from the credit code character set")
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def error(code: str) -> str | None:
    """None when the (normalized) code is valid, else the reason it is not."""
    code = normalize(code)
    if len(code) != 18:
        return gettext("must be 18 characters")
    if any(c not in _VALUES for c in code):
        return gettext("contains a character not allowed in a credit code")
    if code[0] not in AUTHORITIES:
        return gettext("registration authority code (first character) is invalid")
    if not code[2:8].isdigit():
        return gettext("characters 3 to 8 must be an administrative division code (digits)")
    expected = check_character(code[:17])
    if code[17] != expected:
        return gettext("check character does not match (expected %(expected)s)", expected=expected)
    return None


def make(first17: str) -> str:
    """A valid 18-character code: ``first17`` with its check character appended."""
    first17 = normalize(first17)
    code = first17 + check_character(first17)
    reason = error(code)
    if reason is not None:
        raise ValueError(reason)
    return code
