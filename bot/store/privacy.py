"""Masking of ID-card, phone and bank-card numbers before anything is stored or shown."""

from __future__ import annotations

import hashlib
import re

_ID_CARD = re.compile(
    r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)|(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)"
)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{3,4})(\d{4})(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\d)(\d{4})\d{6,}(\d{2})(?!\d)")


def _mask_id(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)[:3]}{'*' * 13}{match.group(3)[-2:]}"
    return f"{match.group(4)[:3]}{'*' * 10}{match.group(6)[-2:]}"


def mask_personal_numbers(text: str) -> str:
    """Hide ID-card, mobile, landline and long (bank-card) numbers, keeping a few digits."""
    text = _ID_CARD.sub(_mask_id, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
    return _LONG_NUMBER.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)


def pseudonym(openid: str) -> str:
    """A short stable name for a resident, so pages never show the full OpenID."""
    return "居民" + hashlib.sha256(openid.encode()).hexdigest()[:6].upper()
