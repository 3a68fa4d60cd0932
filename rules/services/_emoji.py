"""Finding emoji in text by Unicode property, whole sequences at a time.

An emoji here starts with an ``Extended_Pictographic`` code point (or a pair of regional
indicators, a flag, or a keycap base) and runs on through the code points that build
one picture with it: variation selectors, skin-tone modifiers, tag characters, the
combining keycap, and zero-width joiners followed by another pictograph. The few
pictographs a Windows console's code page (cp1252) can print, ``©``, ``®`` and ``™``,
count only when a variation selector asks for their emoji presentation.
"""

from __future__ import annotations

from bisect import bisect_right

from precepts.rules.services._emoji_table import EXTENDED_PICTOGRAPHIC, REGIONAL_INDICATOR

_STARTS = [low for low, _ in EXTENDED_PICTOGRAPHIC]
_ZWJ = "\u200d"
_VARIATION = frozenset({"\ufe0e", "\ufe0f"})
_KEYCAP = "\u20e3"
_KEYCAP_BASES = frozenset("0123456789#*")
_LOW_REGIONAL, _HIGH_REGIONAL = REGIONAL_INDICATOR[0][0], REGIONAL_INDICATOR[-1][1]


def is_pictographic(char: str) -> bool:
    """Tell whether a character has the ``Extended_Pictographic`` property.

    Args:
        char: One code point.

    Returns:
        True for a pictograph.
    """
    point = ord(char)
    index = bisect_right(_STARTS, point) - 1
    return index >= 0 and point <= EXTENDED_PICTOGRAPHIC[index][1]


def _is_regional(char: str) -> bool:
    return _LOW_REGIONAL <= ord(char) <= _HIGH_REGIONAL


def _is_extender(char: str) -> bool:
    """Variation selectors, skin tones, tags and the keycap: parts of the emoji before."""
    point = ord(char)
    return (
        char in _VARIATION
        or char == _KEYCAP
        or 0x1F3FB <= point <= 0x1F3FF
        or 0xE0020 <= point <= 0xE007F
    )


def _console_safe(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _sequence_end(text: str, index: int) -> int:
    """Return where the emoji sequence starting at ``index`` ends."""
    end = index + 1
    while end < len(text):
        char = text[end]
        if _is_extender(char):
            end += 1
        elif char == _ZWJ and end + 1 < len(text) and is_pictographic(text[end + 1]):
            end += 2
        else:
            break
    return end


def _starts_emoji(text: str, index: int) -> int:
    """Return the end of an emoji starting at ``index``, or -1 when none starts there."""
    char = text[index]
    after = text[index + 1] if index + 1 < len(text) else ""
    if is_pictographic(char):
        end = _sequence_end(text, index)
        if _console_safe(char) and end == index + 1:
            return -1  # a plain ©, ® or ™
        return end
    if _is_regional(char) and after and _is_regional(after):
        return index + 2  # a flag
    if char in _KEYCAP_BASES and (
        after == _KEYCAP or (after in _VARIATION and _KEYCAP in text[index + 2 : index + 3])
    ):
        return _sequence_end(text, index)
    return -1


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` code point spans of the emoji in a text.

    Args:
        text: Any text.

    Returns:
        One span per emoji (a whole ZWJ sequence, flag or keycap is one), in order.
    """
    if text.isascii():
        return []
    spans = []
    index = 0
    while index < len(text):
        end = _starts_emoji(text, index)
        if end < 0:
            index += 1
        else:
            spans.append((index, end))
            index = end
    return spans
