"""Repair text that was UTF-8 but got decoded as another charset (mojibake).

The seed README's stars are UTF-8 bytes read as Mac Roman: "⭐" became "‚≠ê" and "🌟" became
"\\uf8ffüåü". ftfy repairs the common cases (Windows-1252, Latin-1, and most Mac Roman); the
fallback below re-encodes runs of Mac Roman characters and keeps a run only when its bytes are
valid UTF-8, which catches what ftfy leaves alone (ftfy will not touch U+F8FF, a private-use
character that is the Apple logo in Mac Roman).
"""

from __future__ import annotations

from dataclasses import dataclass

# UTF-8 lead bytes of 3- and 4-byte sequences and their length. Two-byte sequences are left to
# ftfy: as Mac Roman they are ordinary pairs ("—é" would become "ю"), while three or four
# Mac Roman characters that spell valid UTF-8 ("‚≠ê") are mojibake in practice.
_LEAD_LENGTHS = {**dict.fromkeys(range(0xE0, 0xF0), 3), **dict.fromkeys(range(0xF0, 0xF5), 4)}


@dataclass(frozen=True)
class Repair:
    """One repaired stretch of a line: what was written and what it meant."""

    before: str
    after: str


def _mac_roman_byte(char: str) -> int | None:
    """The Mac Roman byte of a non-ASCII character, or None when Mac Roman has no such byte."""
    if ord(char) < 0x80:
        return None
    try:
        return char.encode("mac_roman")[0]
    except UnicodeEncodeError:
        return None


def _mac_roman_fallback(text: str) -> str:
    """Decode every stretch of Mac Roman characters whose bytes form valid UTF-8."""
    out: list[str] = []
    i = 0
    while i < len(text):
        lead = _mac_roman_byte(text[i])
        size = _LEAD_LENGTHS.get(lead or 0, 0)
        if size and i + size <= len(text):
            raw = [_mac_roman_byte(c) for c in text[i : i + size]]
            if all(b is not None and 0x80 <= b <= 0xBF for b in raw[1:]):
                try:
                    out.append(bytes([lead or 0, *(b or 0 for b in raw[1:])]).decode("utf-8"))
                    i += size
                    continue
                except UnicodeDecodeError:
                    pass
        out.append(text[i])
        i += 1
    return "".join(out)


def repair_text(text: str) -> str:
    """The text with mojibake undone (ftfy first, then the Mac Roman round trip)."""
    if text.isascii():
        return text
    import ftfy

    fixed = ftfy.fix_encoding(text)
    return _mac_roman_fallback(fixed)


def repair_lines(text: str) -> tuple[str, dict[int, Repair]]:
    """Repair each line; return the new text and, per 1-based line number, what changed."""
    lines = text.split("\n")
    repairs: dict[int, Repair] = {}
    for number, line in enumerate(lines, start=1):
        fixed = repair_text(line)
        if fixed != line:
            repairs[number] = _changed_span(line, fixed)
            lines[number - 1] = fixed
    return "\n".join(lines), repairs


def _changed_span(before: str, after: str) -> Repair:
    """The differing middle of two strings, for a short warning message."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end_b, end_a = len(before), len(after)
    while end_b > start and end_a > start and before[end_b - 1] == after[end_a - 1]:
        end_b -= 1
        end_a -= 1
    return Repair(before[start:end_b], after[start:end_a])
