"""Turn bytes of unknown encoding into text without ever raising."""
from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


UTF8_REPAIRED = "utf-8 (invalid bytes replaced)"


class NotText(ValueError):
    """The bytes do not look like text in any encoding we accept (a binary file, say)."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise NotText for binary data.

    Order: a byte-order mark; UTF-8; UTF-16 without a mark when every other byte is zero;
    UTF-8 with some broken sequences (returned as UTF8_REPAIRED, so the caller can warn);
    Windows-1252 as the last resort for 8-bit text.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    if _looks_like_utf16(data):
        name = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(name, errors="replace"), name
    if b"\x00" in data[:4096]:
        raise NotText("binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _has_utf8_sequences(data):
        text = data.decode("utf-8", errors="replace")
        # random bytes hold valid multi-byte sequences too, but mostly invalid ones and control codes
        if _control_share(text) <= 0.05:
            return text, UTF8_REPAIRED
    text = data.decode("cp1252", errors="replace")
    if _control_share(text) > 0.05:
        raise NotText("binary data or an unknown encoding, not text")
    return text, "cp1252"


def _looks_like_utf16(data: bytes) -> bool:
    sample = data[:2000]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    zeros_even = even.count(0) / len(even)
    zeros_odd = odd.count(0) / len(odd)
    return max(zeros_even, zeros_odd) > 0.4 and min(zeros_even, zeros_odd) < 0.05


def _control_share(text: str) -> float:
    sample = text[:4096]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    bad += sample.count("\ufffd")
    return bad / len(sample)


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_utf8_sequences(data: bytes) -> bool:
    """Valid multi-byte UTF-8 sequences are rare in 8-bit text, so a few of them mean UTF-8 with damage."""
    return len(_UTF8_MULTIBYTE.findall(data[:65536])) >= 2
