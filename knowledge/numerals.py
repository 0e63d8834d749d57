"""Chinese numerals as used in article numbers (第一千零七十九条 <-> 1079)."""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_DIGIT_VALUE = {c: i for i, c in enumerate(_DIGITS)} | {"两": 2, "〇": 0}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARTICLE = re.compile(r"^(\d+)(之[一二三四五六七八九十]+)?$")


def to_chinese(n: int) -> str:
    """1079 -> 一千零七十九, 10 -> 十, 110 -> 一百一十 (official article style, n < 10000)."""
    if not 0 < n < 10000:
        raise ValueError(f"article number out of range: {n}")
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_DIGITS[digit] + unit)
    text = "".join(parts)
    if text.startswith("一十"):
        text = text[1:]
    return text


def from_chinese(text: str) -> int:
    """一千零七十九 -> 1079; also accepts 十二, 二十, 两百, and 万 (两万, 一万五千)."""
    if not text:
        raise ValueError("empty numeral")
    if "万" in text:
        head, _, tail = text.partition("万")
        return (from_chinese(head) if head else 1) * 10000 + (from_chinese(tail) if tail else 0)
    total = 0
    current = 0
    for char in text:
        if char in _DIGIT_VALUE:
            current = _DIGIT_VALUE[char]
        elif char in _UNITS:
            total += (current or 1) * _UNITS[char]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


def parse_article_number(value: int | str) -> str:
    """Normalise 1079, "1079", "第1079条", "第一千零七十九条", "133之一" to a canonical
    label such as 第一千零七十九条 or 第一百三十三条之一."""
    text = str(value).strip().replace(" ", "")
    if text.startswith("第"):
        text = text[1:]
    text = text.replace("条", "", 1) if text.endswith("条") or "条之" in text else text
    match = _ARTICLE.match(text)
    if match:
        return f"第{to_chinese(int(match.group(1)))}条{match.group(2) or ''}"
    base, _, suffix = text.partition("之")
    number = from_chinese(base)
    return f"第{to_chinese(number)}条" + (f"之{suffix}" if suffix else "")
