"""Normalised error signatures: the error's first meaningful line with variable parts masked."""

from __future__ import annotations

import re

_MASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b"), "<ts>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"https?://[^\s'\"<>)]+"), lambda m: _mask_url(m.group(0))),  # type: ignore[list-item]
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\b(?:req|org|sk|key|id)_[A-Za-z0-9]{6,}\b"), "<id>"),
    (re.compile(r"\b[A-Z]{2,}[-_]?\d{3,}[A-Z0-9]*\b"), "<ref>"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "<n>"),
]


def _mask_url(url: str) -> str:
    m = re.match(r"(https?://[^/?#]+)([^?#]*)", url)
    if not m:
        return "<url>"
    path = re.sub(r"/[^/]*\d[^/]*", "/<id>", m.group(2))
    return m.group(1) + path


# Numbers that name the error class, not the instance: HTTP statuses, errno, SQLSTATE-like codes.
_KEEP = re.compile(
    r"(?<=error ')\d{3}\b|(?<=Error code: )\d{3}\b|\b[1-5]\d{2}(?= [A-Z][a-z])|(?<=Errno )-?\d+|"
    r"(?<=\()\d{3}(?=\))|\b(?=[0-9A-Z]{5}\b)(?=[0-9A-Z]*[A-Z])[0-9][0-9A-Z]{4}\b"
)


_STATUS_TEXT = re.compile(r"""['"][1-5]\d{2} [A-Za-z -]+['"]$""")
_FIRST_LATE = 5  # uuid, timestamp, date, ip and url are masked before the kept codes are protected


def _letters(i: int) -> str:
    out = ""
    while True:
        out = chr(65 + i % 26) + out
        i = i // 26 - 1
        if i < 0:
            return out


def _index(s: str) -> int:
    i = 0
    for ch in s:
        i = i * 26 + (ord(ch) - 64)
    return i - 1


def mask(text: str) -> str:
    kept: list[str] = []

    def _hold(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\x00{_letters(len(kept) - 1)}\x00"

    out = text
    for n, (rx, repl) in enumerate(_MASKS):
        if n == _FIRST_LATE:
            out = _KEEP.sub(_hold, out)
        out = rx.sub(repl, out)  # type: ignore[arg-type]
    out = re.sub("\x00([A-Z]+)\x00", lambda m: kept[_index(m.group(1))], out)
    out = re.sub(
        r"'[^']{1,80}'|\"[^\"]{1,80}\"",
        lambda m: m.group(0) if "<" in m.group(0) or _STATUS_TEXT.match(m.group(0)) else "<s>",
        out,
    )
    return re.sub(r"\s+", " ", out).strip()


def first_line(error: str) -> str:
    for line in (error or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def signature(error: str, limit: int = 200) -> str:
    """Masked first line of the error: ids, numbers, timestamps, hex, ips and quoted values replaced."""
    return mask(first_line(error)[: limit * 4])[:limit]
