"""Personal data: e-mail, IP and MAC addresses, phone numbers, cards, IBANs and national ids.

Numbers are found by one permissive "digit run" regex and then *classified* by their grouping
(3-3-4 is a phone, 2-7-1 an SSS number, 4-4-4-4 plus Luhn a card ...), so a text is scanned
once for all number-shaped data instead of once per format.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .validators import IBAN_LENGTHS, base58check_ok, iban_ok, ipv4_ok, ipv6_ok, luhn_ok, ssn_ok

Span = tuple[int, int, str]

_EMAIL_RIGHT = re.compile(
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}"
    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w\-])"
)
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")

# Boundaries inside the regex (same sets as the checks in network_spans) so log lines full of dotted
# numbers (versions, timings) do not reach Python; the first-digit look-behind keeps the digit prefix scan.
_IPV4 = re.compile(r"\d(?<![\w.~]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w)")
# colon-separated hex groups are found from their colons (a literal start keeps the scan cheap), then
# widened to the whole run and validated (ipaddress for IPv6, 6 x 2 hex digits for a MAC)
# (every MAC or IPv6 address holds `::` or three colon-separated groups in a row; `12:30:45` does not)
_COLON_HEX = re.compile(r"::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")
_HEXRUN = frozenset("0123456789abcdefABCDEF:.")
_MAC_COLON = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")
_MAC_DASH = re.compile(r"-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-")
_MAC_DOTTED = re.compile(r"\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])")
_MAC_DOTTED_FULL = re.compile(r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}")
_BTC = re.compile(r"[13][a-km-zA-HJ-NP-Z1-9]{25,34}(?![\w])")
_MAC_DASH_FULL = re.compile(r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}")

# One regex for every number-shaped candidate: optional +country code or (area), then digits with
# single spaces or dashes between groups.
# (the look-behind sits after the first digit so the regex engine only tries positions holding a digit)
_NUMBER = re.compile(r"\d(?<![\w\-/.,:]\d)(?:[ \-]?\d){6,22}(?![\w\-]|\.\d)")
_LEAD = re.compile(r"(?:\+\d{0,3}[ \-]?)?(?:\(\d{1,4}\)[ \-]?)?$")
_GROUPS = re.compile(r"\d+")
_ID_CONTEXT = re.compile(
    r"(?i)(?P<tin>\btin\b|tax identification|taxpayer)|(?P<sss>\bsss\b|social security system)|"
    r"(?P<philhealth>philhealth|\bphic\b)|(?P<pagibig>pag-?ibig|\bhdmf\b)|(?P<ssn>\bssn\b|social security)"
)
# Every alternative of _ID_CONTEXT, lower-cased: phrases, and words it wants between word boundaries.
# On ASCII text, where IGNORECASE is plain lower-casing, a window holding none of them cannot match
# (most windows: `setting`, `routing` hold `tin` but not as a word), and the slow regex is skipped.
_ID_PHRASES = ("tax identification", "taxpayer", "social security", "philhealth", "pag-ibig", "pagibig")
_ID_WORDS = ("tin", "sss", "ssn", "phic", "hdmf")
_ASCII_WORD = frozenset(string.ascii_letters + string.digits + "_")


def _has_word(low: str, word: str) -> bool:
    i = low.find(word)
    while i >= 0:
        j = i + len(word)
        if (i == 0 or low[i - 1] not in _ASCII_WORD) and (j == len(low) or low[j] not in _ASCII_WORD):
            return True
        i = low.find(word, i + 1)
    return False


def _id_context(before: str) -> re.Match[str] | None:
    """`_ID_CONTEXT.search(before)`, without the regex when no name can be there."""
    if before.isascii():
        low = before.lower()
        for phrase in _ID_PHRASES:
            if phrase in low:
                break
        else:
            for word in _ID_WORDS:
                if word in low and _has_word(low, word):
                    break
            else:
                return None
    return _ID_CONTEXT.search(before)


# `[A-Z][A-Z]`, not `[A-Z]{2}`: a pattern that opens with a character class (not a repeat) lets the
# regex engine skip non-matching positions in its C prefix scan instead of trying every position.
_IBAN = re.compile(r"[A-Z][A-Z]\d{2}(?: ?[A-Z0-9]){11,34}")


def email_spans(text: str) -> Iterator[Span]:
    i = text.find("@")
    while i > 0:
        m = _EMAIL_RIGHT.match(text, i)
        if m:
            left = i
            while left > 0 and text[left - 1] in _EMAIL_LOCAL and i - left < 64:
                left -= 1
            while left < i and text[left] in ".-+":
                left += 1
            # `scheme://user:password@host` is URL userinfo (the password is redacted by context.py)
            word_start = max(text.rfind(" ", 0, i), text.rfind("\n", 0, i))
            if left < i and "://" not in text[word_start + 1 : i]:
                yield left, m.end(), "EMAIL"
                i = text.find("@", m.end())
                continue
        i = text.find("@", i + 1)


# IPv4 addresses and number-shaped data both start at a digit: one scan finds both. Neither kind of
# match can start inside the other (an IPv4 interior follows a digit or a dot, and a digit run cannot
# end just before `.digit`), so this yields exactly what `_IPV4` and `_NUMBER` find on their own.
# The look-behind both branches share (`[\w.]`: not inside a run) comes first, so a digit inside a run
# (most digits of a log line) costs one test; each branch then adds its own extra characters (`~`; `-/,:`).
_DIGIT_LED_PATTERN = (
    r"\d(?<![\w.]\d)(?:(?<!~\d)(?P<ip>\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w))"
    r"|(?<![\-/,:]\d)(?:[ \-]?\d){6,22}(?![\w\-]|\.\d))"
)
_DIGIT_LED = re.compile(_DIGIT_LED_PATTERN)
# Where every word character is ASCII, \d and \w mean the same in both modes; the ASCII form is faster.
_DIGIT_LED_ASCII = re.compile(_DIGIT_LED_PATTERN, re.ASCII)

_ASCII_BYTES = bytes(range(128))
_WORD = re.compile(r"\w")


def ascii_view(text: str) -> bytes | None:
    r"""`text` as one byte per character (non-ASCII ones as `?`) when all its word characters are ASCII.

    Then the ASCII forms of the patterns (\d, \w, isalnum) decide exactly as the Unicode ones do, and
    byte-class maps of this view locate shapes with `bytes.find`. None: some letter or digit is not
    ASCII (`é`, `٣`; `text_view` then finds their lines). Non-ASCII punctuation, symbols and emoji
    keep the fast paths: they are not word characters in either mode.
    """
    if not text.isascii():
        # the non-ASCII characters alone: drop every ASCII byte of the UTF-8 form (C-level, no regex scan)
        rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
        if _WORD.search(rest.decode("utf-8", "surrogatepass")):
            return None
    return text.encode("ascii", "replace")


class TextView(NamedTuple):
    """`data`: the text as one byte per character (non-ASCII ones as `?`); `wide`: the line ranges
    (start, end without the newline) holding non-ASCII letters or digits. The ASCII forms of the
    patterns and the byte maps decide exactly outside `wide` (no digit-led, IBAN or wallet match or
    look-around crosses a newline); the Unicode patterns run on the `wide` lines."""

    data: bytes
    wide: tuple[tuple[int, int], ...]


_new_view = tuple.__new__


def text_view(text: str) -> TextView | None:
    """The text's view (see TextView); None when non-ASCII letters or digits are on so many lines that
    the Unicode patterns over the whole text cost less than scanning it piecewise."""
    if text.isascii():
        return _new_view(TextView, (text.encode("ascii"), ()))  # (the plain constructor is Python-level)
    data = ascii_view(text)
    if data is not None:
        return _new_view(TextView, (data, ()))
    data = text.encode("ascii", "replace")
    n = len(text)
    wide: list[tuple[int, int]] = []
    max_lines, budget = 1 + n // 2048, 256 + n // 64  # wide lines worth splitting; `?` positions looked at
    i = data.find(b"?")
    while i >= 0:
        budget -= 1
        if budget < 0:
            return None
        if text[i].isalnum():  # behind this `?`, a non-ASCII letter or digit (\w in Unicode mode)
            end = text.find("\n", i)
            end = n if end < 0 else end
            wide.append((text.rfind("\n", 0, i) + 1, end))
            if len(wide) > max_lines:
                return None
            i = data.find(b"?", end)
        else:
            i = data.find(b"?", i + 1)
    return TextView(data, tuple(wide))


def _segments(n: int, wide: tuple[tuple[int, int], ...]) -> list[tuple[int, int, bool]]:
    """[0, n) cut into (start, end, is_wide) pieces around the wide lines."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for start, end in wide:
        if start > pos:
            out.append((pos, start, False))
        out.append((start, end, True))
        pos = end
    if pos < n:
        out.append((pos, n, False))
    return out


def digit_led(text: str, view: TextView | None = None) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """(IPv4 candidates, number candidates) from one pass over the text; `view`: `text_view(text)`."""
    ips: list[re.Match[str]] = []
    nums: list[re.Match[str]] = []
    if view is None and text.isascii():
        view = TextView(b"", ())
    if view is None:
        found: Iterable[re.Match[str]] = _DIGIT_LED.finditer(text)
    elif not view.wide:
        found = _DIGIT_LED_ASCII.finditer(text)
    else:
        found = [
            m
            for s, e, wide in _segments(len(text), view.wide)
            for m in (_DIGIT_LED if wide else _DIGIT_LED_ASCII).finditer(text, s, e)
        ]
    for m in found:
        (ips if m.lastgroup == "ip" else nums).append(m)
    return ips, nums


def network_spans(text: str, ipv4: list[re.Match[str]] | None = None) -> Iterator[Span]:
    """IPv4/IPv6/MAC addresses; `ipv4`: candidates from `digit_led` when the caller already has them."""
    n = len(text)
    if ipv4 is None:
        ipv4 = list(_IPV4.finditer(text)) if "." in text else []
    if ipv4:
        for m in ipv4:
            s, e = m.start(), m.end()
            if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "._~"):
                continue  # `~6.1.1.0` and `v1.2.3.4` are versions
            if e < n and (text[e].isalnum() or text[e] == "_"):
                continue
            if ipv4_ok(m.group()):
                yield s, e, "IP_ADDRESS"
    if ":" in text:
        last_end = -1
        for m in _COLON_HEX.finditer(text):
            if m.start() < last_end:
                continue
            s, e = m.start(), m.end()
            while s > 0 and text[s - 1] in _HEXRUN:
                s -= 1
            while e < n and text[e] in _HEXRUN:
                e += 1
            last_end = e
            while s < e and text[s] == ".":
                s += 1
            while e > s and text[e - 1] in ".:" and text[e - 2 : e] != "::":
                e -= 1
            if (s > 0 and (text[s - 1].isalnum() or text[s - 1] in "_-")) or (
                e < n and (text[e].isalnum() or text[e] in "_-")
            ):
                continue
            cand = text[s:e]
            if _MAC_COLON.fullmatch(cand):
                yield s, e, "MAC_ADDRESS"
                continue
            if cand == "::":
                # the unspecified address, only as a value of its own (`src=::`), never `std::` or `a[::]`
                if (s == 0 or text[s - 1] in " \t=(\"'") and (e == n or text[e] in " \t/,.)\"'\n"):
                    yield s, e, "IP_ADDRESS"
                continue
            # full: 7 colons (6 before an embedded IPv4); compressed: "::" (cheap test before ipaddress)
            colons = cand.count(":")
            if ("::" not in cand and colons != 7 and not (colons == 6 and "." in cand)) or not ipv6_ok(cand):
                continue
            # `a::b`, `dead::beef` in code are valid addresses but not plausible ones
            if (
                "::" in cand
                and len([g for g in cand.split(":") if g]) < 3
                and not any(ch.isdigit() for ch in cand)
            ):
                continue
            yield s, e, "IP_ADDRESS"
    if "." in text:
        for m in _MAC_DOTTED.finditer(text):  # Cisco style 0123.4567.89ab
            s, e = m.start() - 4, m.end()
            if s >= 0 and _MAC_DOTTED_FULL.fullmatch(text, s, e) and (s == 0 or not text[s - 1].isalnum()):
                yield s, e, "MAC_ADDRESS"
    if "-" in text:
        for m in _MAC_DASH.finditer(text):
            s, e = m.start() - 2, m.end() + 2
            cand = text[s:e]
            ok_left = s == 0 or not (text[s - 1].isalnum() or text[s - 1] in "-:")
            ok_right = e >= n or not (text[e].isalnum() or text[e] in "-:")
            if s >= 0 and ok_left and ok_right and _MAC_DASH_FULL.fullmatch(cand):
                yield s, e, "MAC_ADDRESS"


def _may_classify(raw: str) -> bool:
    """False when `_classify_number` must return None for a run without a `+`/`(` lead.

    A cheap necessary condition (no group list built): timestamps, counters and block ids in logs
    fail it, so only plausible shapes pay for the full classification below.
    """
    if raw.isdigit():  # one run: ids (9, 10, 12, 14 digits), cards (13-19), `09` mobiles (11)
        nd = len(raw)
        return 9 <= nd <= 19 and (nd != 11 or raw.startswith("09"))
    sp, da = raw.find(" "), raw.find("-")
    nd = len(raw) - raw.count(" ") - raw.count("-")
    first = da if sp < 0 or 0 <= da < sp else sp
    if first > 4:  # every grouped format opens with 2 to 4 digits, but 0-led national phones (10-11)
        return raw[0] == "0" and 10 <= nd <= 11
    if raw[0] == "0":
        return 9 <= nd <= 14  # 0-led: ids (9-14 digits) and national phones (10-11)
    if first == 4:
        return nd >= 12  # 4-4-4 Pag-IBIG, grouped cards
    return True


def _classify_number(raw: str, before: str) -> str | None:
    parts = _GROUPS.findall(raw)
    digits = "".join(parts)
    nd = len(digits)
    groups = [len(g) for g in parts]
    shape = tuple(groups)
    if raw.startswith("+"):
        return "PHONE" if 8 <= nd <= 15 else None
    if raw.startswith("("):
        return "PHONE" if 9 <= nd <= 12 else None
    # Philippine government ids (formatted): TIN 3-3-3[-3|-5], SSS 2-7-1, PhilHealth 2-9-1, Pag-IBIG 4-4-4
    dashed = "-" in raw and " " not in raw
    if dashed and shape in ((3, 3, 3), (3, 3, 3, 3), (3, 3, 3, 5)):
        return "TIN"
    if dashed and shape == (2, 7, 1):
        return "SSS"
    if dashed and shape == (2, 9, 1):
        return "PHILHEALTH"
    if dashed and shape == (4, 4, 4):
        return "PAGIBIG"
    if shape == (3, 2, 4):
        return "SSN" if ssn_ok(digits[:3], digits[3:5], digits[5:]) else None
    # Cards: 13-19 digits, a known issuer range (2-6), Luhn; contiguous or in 4-digit groups (Amex 4-6-5)
    if nd == 15 and digits[0] == "1" and len(groups) == 1 and luhn_ok(digits):
        return "CARD"  # UATP (airline) cards: 15 digits starting with 1
    card_grouping = len(groups) == 1 or all(g == 4 for g in groups[:-1]) or shape in ((4, 6, 5), (4, 6, 4))
    if 13 <= nd <= 19 and digits[0] in "23456" and card_grouping and luhn_ok(digits):
        return "CARD"
    # Phones: Philippine mobile 09xx, NANP 3-3-4, 0-prefixed national numbers (JP 090-1234-5678)
    if digits.startswith("09") and nd == 11 and (len(groups) == 1 or shape in ((4, 3, 4), (4, 7), (2, 9))):
        return "PHONE"
    if shape == (3, 3, 4) and digits[0] in "23456789":
        return "PHONE"
    if len(groups) >= 3 and digits[0] == "0" and 10 <= nd <= 11 and all(g >= 2 for g in groups):
        return "PHONE"
    if shape in ((2, 7), (3, 7), (2, 8)) and digits[0] == "0" and "-" in raw:
        return "PHONE"  # trunk-prefixed area code and subscriber number (09-7625400, 02-12345678)
    # Unformatted ids need their name nearby
    ctx = _id_context(before) if nd in (9, 10, 12, 14) and len(groups) == 1 else None
    if ctx:
        kind = ctx.lastgroup
        if kind == "tin" and nd in (9, 12, 14):
            return "TIN"
        if kind == "sss" and nd == 10:
            return "SSS"
        if kind == "philhealth" and nd == 12:
            return "PHILHEALTH"
        if kind == "pagibig" and nd == 12:
            return "PAGIBIG"
        if kind == "ssn" and nd == 9 and ssn_ok(digits[:3], digits[3:5], digits[5:]):
            return "SSN"
    return None


_DOTTED_SSN = re.compile(r"\b\d{3}\.\d{2}\.\d{4}\b")
_DOTTED_PHONE = re.compile(r"\(?\b[2-9]\d{2}\)?\.\d{3}\.\d{4}\b")
# every `.` that could be the first dot of a dotted phone or SSN (consumes only the dot: none is missed)
_DOT_TAIL = re.compile(r"\.(?=\d{2,3}\.\d{4}\b)")


def _dotted_spans(text: str) -> Iterator[Span]:
    """`555.123.4567` and `123.45.6789`: found from their `.dd(d).dddd` tail, a literal-led scan.

    Same results as running both full patterns over the text (each match starts 3 to 5 characters
    before its first dot), without their costly start at every digit of a log line.
    """
    n = len(text)
    phone_end = ssn_end = -1
    for t in _DOT_TAIL.finditer(text):
        p = t.start()
        for st in (p - 5, p - 4, p - 3):
            if st < phone_end or st < 0:
                continue
            m = _DOTTED_PHONE.match(text, st)
            if m is not None and m.end() > p:
                phone_end = s_e = m.end()
                s = m.start()
                if (s == 0 or text[s - 1] not in ".-/:") and (s_e >= n or text[s_e] not in ".-/:"):
                    yield s, s_e, "PHONE"
                break
        st = p - 3
        if st >= max(0, ssn_end):
            m = _DOTTED_SSN.match(text, st)
            if m is not None:
                ssn_end = s_e = m.end()
                d = m.group().split(".")
                if (
                    (st == 0 or text[st - 1] not in ".-/:")
                    and (s_e >= n or text[s_e] not in ".-/:")
                    and ssn_ok(*d)
                ):
                    yield st, s_e, "SSN"


def number_spans(text: str, candidates: list[re.Match[str]] | None = None) -> Iterator[Span]:
    """Phones, cards, national ids; `candidates`: `_NUMBER` matches from `digit_led`, if already found."""
    n = len(text)
    if "." in text:
        yield from _dotted_spans(text)
    for m in _NUMBER.finditer(text) if candidates is None else candidates:
        s, e = m.span()
        # widen to a leading "+cc " / "(area) " that the digit-run regex does not include
        if (
            s > 0
            and text[s - 1] in "+( -)"
            and ("+" in text[max(0, s - 6) : s] or ")" in text[max(0, s - 2) : s])
        ):
            lead = _LEAD.search(text, max(0, s - 10), s)
            if lead and lead.start() < s and lead.group().strip():
                s = lead.start()
                if text[s] in " -":
                    s += 1
        else:
            # No lead: a single run of digits classifies only with 9-19 digits (11: `09` mobiles);
            # rejecting the rest here keeps timestamps and counters out of _classify_number.
            if not _may_classify(m.group()):
                continue
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "_-/.,:+"):
            continue
        if e < n and (
            text[e].isalnum() or text[e] in "_-" or (text[e] == "." and e + 1 < n and text[e + 1].isdigit())
        ):
            continue
        before = text[max(0, s - 40) : s]
        before = before[before.rfind("\x00") + 1 :]
        raw = text[s:e]
        if e - s in (9, 10, 12) and raw.isdigit() and not _id_context(before):
            continue  # a bare 9/10/12-digit run is an id only with its name before it (epoch times are not)
        kind = _classify_number(raw, before)
        if kind:
            yield s, e, kind


# ASCII views (see `ascii_view`) as byte classes, so `bytes.find` (a skipping search in C) locates rare
# shapes without a regex attempt at every letter or digit: alnum -> "w", else " " (runs); digit -> "9",
# upper -> "A" (IBAN). A non-ASCII character is `?` in the view, a non-word character like any other.
_RUN_TABLE = bytes(0x77 if chr(i).isascii() and chr(i).isalnum() else 0x20 for i in range(256))
_SHAPE_TABLE = bytes(
    0x39 if 48 <= i <= 57 else 0x41 if 65 <= i <= 90 else 0x20 if i == 0x20 else 0x23 for i in range(256)
)
# _IBAN over the shape map (upper -> A, digit -> 9, space kept, else #): the same matches at the same
# offsets, found by a literal-led scan of bytes
_IBAN_SHAPE = re.compile(rb"AA99(?: ?[A9]){11,34}")
_BTC_RUN = b"w" * 26
_B58_CHARS = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_UNSET = TextView(b"unset", ())  # `view` not given: compute it


def _wallet_at(text: str, s: int, e: int) -> list[Span]:
    return [
        (m.start(), m.end(), "CRYPTO_WALLET")
        for m in _BTC.finditer(text, s, e)
        if (m.start() == 0 or not text[m.start() - 1].isalnum()) and base58check_ok(m.group())
    ]


def wallet_spans(text: str, view: TextView | None = _UNSET) -> list[Span]:
    """Legacy/P2SH bitcoin addresses (base58 with a double-SHA256 checksum); bech32 ones are prefix rules.

    `view`: `text_view(text)` when the caller already has it. (Lists, not generators, here and for
    IBANs: most texts have none, and an empty list costs less than a generator run to its end.)
    """
    if view is _UNSET:
        view = text_view(text)
    n = len(text)
    if view is None:
        return _wallet_at(text, 0, n)
    # With ASCII word characters, an accepted match is exactly a whole alphanumeric run of 26-35 base58
    # characters that starts with 1 or 3 and is not followed by `_`: only runs of >= 26 are looked at.
    data, lines = view
    runs = data.translate(_RUN_TABLE)
    out: list[Span] = []
    for lo, hi, wide in _segments(n, lines) if lines else ((0, n, False),):
        if wide:
            out.extend(_wallet_at(text, lo, hi))
            continue
        i = runs.find(_BTC_RUN, lo, hi)
        while i >= 0:
            e = runs.find(b" ", i, hi)  # a run ends before a newline, so inside the piece
            if e < 0:
                e = hi
            if (
                e - i <= 35
                and text[i] in "13"
                and (e == n or text[e] != "_")
                and _B58_CHARS.issuperset(text[i:e])
                and base58check_ok(text[i:e])
            ):
                out.append((i, e, "CRYPTO_WALLET"))
            i = runs.find(_BTC_RUN, e, hi)
    return out


def _iban_matches(text: str, view: TextView | None = _UNSET) -> list[re.Match[str]]:
    """`_IBAN.finditer(text)`; with a view, the same pattern over its shape map (literal-led)."""
    if view is _UNSET:
        view = text_view(text)
    if view is None:
        return list(_IBAN.finditer(text))
    data, lines = view
    shapes = data.translate(_SHAPE_TABLE)
    if not lines and b"AA99" not in shapes:
        return []
    match = _IBAN.match
    out: list[re.Match[str]] = []
    for lo, hi, wide in _segments(len(text), lines) if lines else ((0, len(text), False),):
        if wide:
            out.extend(_IBAN.finditer(text, lo, hi))
        else:  # the same matches, as str matches
            out.extend(match(text, m.start()) for m in _IBAN_SHAPE.finditer(shapes, lo, hi))  # type: ignore[misc]
    return out


def iban_spans(text: str, view: TextView | None = _UNSET) -> list[Span]:
    out: list[Span] = []
    for m in _iban_matches(text, view):
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue
        raw = m.group()
        want = IBAN_LENGTHS.get(raw[:2])
        # cut the candidate at exactly the country's length (spaces allowed between groups)
        ends = [j + 1 for j, ch in enumerate(raw) if ch != " "] if " " in raw else range(1, len(raw) + 1)
        for target in [want] if want else range(34, 14, -1):
            if target > len(ends):
                continue
            end = ends[target - 1]
            if end < len(raw) and raw[end] != " ":
                continue  # would cut a group in two: not this length
            if iban_ok(raw[:end].replace(" ", "")):
                out.append((m.start(), m.start() + end, "IBAN"))
                break
    return out
