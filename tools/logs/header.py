"""Finding the header of raw log lines (timestamp, level, pid, host, component) without a format string.

A sample of lines is classified token by token. When a level word sits at one position in most lines,
the header ends there (plus a component that follows it: a `name:` token, `[thread]` tokens, or a
short name followed by a wide gap). Otherwise the header is the usual run of dates, times, numbers,
host-like ids and brackets at the start of the line, plus a trailing `component:`. The learned token
count then splits every line with one `str.split`, which keeps raw mode almost as fast as content mode.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

_LEVEL_NAMES = {
    "TRACE": "TRACE", "VERBOSE": "TRACE", "FINEST": "TRACE", "FINER": "TRACE", "FINE": "DEBUG",
    "DEBUG": "DEBUG", "DBG": "DEBUG", "CONFIG": "DEBUG",
    "INFO": "INFO", "INFORMATION": "INFO", "NOTICE": "INFO",
    "WARN": "WARNING", "WARNING": "WARNING",
    "ERROR": "ERROR", "ERR": "ERROR", "SEVERE": "ERROR",
    "FATAL": "CRITICAL", "CRITICAL": "CRITICAL", "CRIT": "CRITICAL", "ALERT": "CRITICAL",
    "EMERG": "CRITICAL", "EMERGENCY": "CRITICAL", "PANIC": "CRITICAL",
}  # fmt: skip
# Android/logcat style one-letter levels; only trusted when they sit in one column of most lines.
_LETTER_LEVELS = {
    "V": "TRACE",
    "D": "DEBUG",
    "I": "INFO",
    "W": "WARNING",
    "E": "ERROR",
    "F": "CRITICAL",
    "A": "CRITICAL",
}
LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_STRIP = "[]<>():,;|"
_DATETIME_TOKEN = re.compile(r"^\d+(?:[-/.:T_,]\d+)+[,:;]?$|^\d{6,}$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HOSTISH = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[\w.:@/-]{3,}$")
SAMPLE = 120
_GAP = re.compile(r"(?<=\S)\s+(?=\S)")
_ZERO = str.maketrans("123456789", "000000000")


def level_of(token: str, letters: bool = False) -> str | None:
    """The canonical level named by a header token ("[WARN]", "Info", "E" with letters=True), or None."""
    word = token.strip(_STRIP)
    # lower-case level names count only when decorated ("[notice]"): bare "error" is usually prose
    trusted = word[:1].isupper() or (token[:1] in "[<(" and word.isalpha())
    lvl = _LEVEL_NAMES.get(word.upper()) if trusted else None
    if lvl is None and letters:
        lvl = _LETTER_LEVELS.get(word)
    return lvl


def _token_class(tok: str) -> str:
    if level_of(tok, letters=True):
        return "L"
    core = tok.rstrip(",;")
    bare = core.strip("[]()")
    if bare.isdigit() or bare[:3] in _MONTHS or bare[:3] in _DAYS or _DATETIME_TOKEN.match(bare):
        return "N" if bare.isdigit() else "T"
    if core.isdigit() or (core.startswith("[") and core.endswith("]") and core[1:-1].isdigit()):
        return "N"
    if _DATETIME_TOKEN.match(core) or core[:3] in _MONTHS or core[:3] in _DAYS:
        return "T"
    if core in ("-", "--", "|"):
        return "-"
    if core.startswith("[") and (core.endswith("]") or core.endswith("]:")):
        return "B"
    if _HOSTISH.match(core):
        return "H"
    if len(tok) > 1 and tok.endswith(":"):
        return "C"
    return "W"


@dataclass
class HeaderLayout:
    """How many whitespace-separated tokens the header of a line has, and where its level is."""

    tokens: int = 0
    level_index: int | None = None

    def split(self, line: str) -> tuple[str, str, str | None]:
        """(header, message, canonical level or None) of one raw line."""
        k = self.tokens
        if k == 0 or not line or line[0] in " \t":
            # no header learned, or an indented continuation line (stack trace, wrapped message)
            return "", line.strip(), None
        parts = line.split(None, k)
        level = None
        if self.level_index is not None:
            level = level_of(parts[self.level_index], letters=True) if len(parts) > self.level_index else None
            if level is None:
                # no level where every header has one: a line of another shape ("Caused by: ...")
                return "", line.strip(), None
        if len(parts) <= k:
            return " ".join(parts), "", level
        return " ".join(parts[:k]), parts[k], level


def learn_layout(lines: Sequence[str]) -> HeaderLayout:
    """Infer the header layout of a log from (a sample of) its lines."""
    sample = [ln for ln in lines[:SAMPLE] if ln.strip() and ln[0] not in " \t"]
    if not sample:
        return HeaderLayout()
    n = len(sample)
    rows = [ln.split(None, 13)[:13] for ln in sample]
    # a token's class depends on where its digits are, not on their values: classify each shape once
    by_shape: dict[str, str] = {}
    classes: dict[str, str] = {}
    for r in rows:
        for t in r:
            if t not in classes:
                shape = t.translate(_ZERO)
                c = by_shape.get(shape)
                if c is None:
                    c = by_shape[shape] = _token_class(shape)
                classes[t] = c

    def share(pred: Callable[[list[str]], bool]) -> float:
        return sum(1 for r in rows if pred(r)) / n

    level_pos = Counter(next((i for i, t in enumerate(r[:12]) if classes[t] == "L"), -1) for r in rows)
    pos, hits = max(((p, c) for p, c in level_pos.items() if p >= 0), key=lambda pc: pc[1], default=(-1, 0))
    if pos >= 0 and hits >= 0.6 * n:
        k = pos + 1
        while k < 12 and share(lambda r, k=k: len(r) > k + 1 and classes[r[k]] in "B-") >= 0.6:
            k += 1
        if share(lambda r, k=k: len(r) > k + 1 and r[k].endswith(":") and len(r[k]) > 1) >= 0.6:
            k += 1
        else:
            values = Counter(r[k] for r in rows if len(r) > k + 1)
            gaps = [[len(g) for g in _GAP.findall(ln, 0, 400)][: k + 1] for ln in sample]
            wide = sum(1 for g in gaps if len(g) > k and g[k] >= 2) / n
            if wide >= 0.8 and len(values) <= max(5, n // 10):
                k += 1
        return HeaderLayout(k, pos)
    ends = Counter()
    for r in rows:
        i = 0
        while i < len(r) - 1 and classes[r[i]] in "NT-BHL":
            i += 1
        if 0 < i < len(r) - 1 and classes[r[i]] == "C":
            i += 1
        elif 0 < i < len(r) - 2 and classes[r[i]] == "W" and classes[r[i + 1]] == "C":
            i += 2  # "host component[pid]:" of syslog
        ends[i] += 1
    k, hits = ends.most_common(1)[0]
    return HeaderLayout(k if hits >= 0.5 * n else 0, None)


# ------------------------------------------------------------------------------------ timestamps
_TS_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[T\s_-]+(\d{1,2})[:.](\d{2})[:.](\d{2})(?:[.,](\d{1,6}))?"
        ),
        "ymd",
    ),
    (re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})\s+(\d{2})(\d{2})(\d{2})(?!\d)"), "compact"),
    (re.compile(r"(?<![\d-])(\d{1,2})[-/](\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?"), "md"),
    (re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})"), "syslog"),
    (re.compile(r"(?<!\d)(1\d{9})(?:\.(\d{1,6}))?(?!\d)"), "epoch"),
]


def parse_timestamp(text: str) -> datetime | None:
    """The first timestamp found in a header, naive; lines without a year get year 2000."""
    for rx, kind in _TS_PATTERNS:
        m = rx.search(text)
        if not m:
            continue
        g = m.groups()
        try:
            if kind == "ymd":
                frac = (g[6] or "0").ljust(6, "0")
                return datetime(int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]), int(frac))
            if kind == "compact":
                return datetime(2000 + int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]))
            if kind == "md":
                frac = (g[5] or "0").ljust(6, "0")
                return datetime(2000, int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(frac))
            if kind == "syslog":
                return datetime(2000, _MONTHS.index(g[0]) + 1, int(g[1]), int(g[2]), int(g[3]), int(g[4]))
            frac = (g[1] or "0").ljust(6, "0")
            return datetime(1970, 1, 1) + timedelta(seconds=int(g[0]), microseconds=int(frac))
        except ValueError:
            continue
    return None
