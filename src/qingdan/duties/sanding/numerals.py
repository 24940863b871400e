"""Chinese and Arabic numerals as they appear in 三定 texts (一百二十名, 两名, 十五, 805)."""

from __future__ import annotations

CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_number(value: str) -> int | None:
    """Read ``value`` as a whole number, or return ``None`` when it is not one.

    Handles Arabic digits, positional Chinese numerals (一百零五, 十五, 两千) and digit-by-digit
    Chinese (一二〇, as in some years and codes).
    """
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return int(value)
    if any(char not in _DIGITS and char not in _UNITS and char != "万" for char in value):
        return None
    if not any(char in _UNITS or char == "万" for char in value):
        # 一二〇 style: one digit per character.
        return int("".join(str(_DIGITS[char]) for char in value))
    total = 0
    section = 0
    digit: int | None = None
    for char in value:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section = 0
            digit = None
        else:
            # A unit without a digit before it means one of it: 十五 = 15.
            section += (1 if digit is None else digit) * _UNITS[char]
            digit = None
    return total + section + (digit or 0)


_DIGIT_NAMES = "零一二三四五六七八九"


def format_number(value: int | None) -> str:
    """1 → 一, 15 → 十五, 120 → 一百二十: list numbers quoted back to users in messages."""
    if value is None or value < 0:
        return "?"
    if value < 10:
        return _DIGIT_NAMES[value]
    if value < 20:
        return "十" + (_DIGIT_NAMES[value % 10] if value % 10 else "")
    if value < 100:
        tens, ones = divmod(value, 10)
        return _DIGIT_NAMES[tens] + "十" + (_DIGIT_NAMES[ones] if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        if rest == 0:
            return _DIGIT_NAMES[hundreds] + "百"
        if rest < 10:
            return _DIGIT_NAMES[hundreds] + "百零" + _DIGIT_NAMES[rest]
        # 一百一十五, not 一百十五.
        tail = "一" + format_number(rest) if rest < 20 else format_number(rest)
        return _DIGIT_NAMES[hundreds] + "百" + tail
    return str(value)
