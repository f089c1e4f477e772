"""Personal data: e-mail, IP and MAC addresses, phone numbers, cards, IBANs and national ids.

Numbers are found by one permissive "digit run" regex and then *classified* by their grouping
(3-3-4 is a phone, 2-7-1 an SSS number, 4-4-4-4 plus Luhn a card ...), so a text is scanned
once for all number-shaped data instead of once per format.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .validators import (
    IBAN_LENGTHS,
    base58check_ok,
    eip55_ok,
    iban_ok,
    ipv4_ok,
    ipv6_ok,
    itin_ok,
    luhn_ok,
    ssn_ok,
)

Span = tuple[int, int, str]

# Domain labels of letters, digits and inner hyphens, in any script (RFC 6531 / IDNA: `bücher.de`);
# the top-level label is letters (`.com`, `.рф`) or its ASCII IDN form (`.xn--p1ai`). Matched only at '@'.
_EMAIL_DOMAIN = (
    r"[^\W_](?:[\w\-]{0,62}[^\W_])?(?:\.[^\W_](?:[\w\-]{0,62}[^\W_])?)*"
    r"\.(?:[^\W\d_]{2,24}|xn--[a-z0-9\-]{2,59})(?![\w\-])"
)
_EMAIL_RIGHT = re.compile("@" + _EMAIL_DOMAIN)
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
# `user@host:path` is an scp/ssh target (`git@github.com:org/repo.git`), not a mailbox
_QUOTED_LOCAL = re.compile(r"[\w.+\-]+(?: [\w.+\-]+)*")
_SCP_PATH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~/._-")

# Boundaries inside the regex (same sets as the checks in network_spans) so log lines full of dotted
# numbers (versions, timings) do not reach Python; the first-digit look-behind keeps the digit prefix scan.
# (`(?!\w|\.\d++\.?\w)`: a sixth dotted part or a letter after a fifth makes it a version or an OID,
# `1.2.3.4.5.6`, `1.3.6.1.4.1`, `3.10.0.1.el7`; a lone fifth part is decided in `network_spans`)
_IPV4 = re.compile(r"\d(?<![\w.~]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d++\.?\w)")
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
# A run may follow `,` or `:` unless a digit stands before those (`1,234,567`, `12:30:45`), or a quote
# before the colon (`"bytes":4633...`: compact JSON numbers stay out, as they were): CSV fields,
# `tel:+1...` and `phone:2125550198` are values; thousands groups and clock times are not.
# It may end at `x` + digits: the extension of a phone number (`212-555-0198x42`; only phones take it).
_NUMBER = re.compile(
    r"\d(?<![\w\-/.]\d)(?<!\d,\d)(?<![\d\x22]:\d)(?:[ \-]?\d){6,22}(?:(?![\w\-]|\.\d)|(?=[xX]\d))"
)
_LEAD = re.compile(r"(?:\+\d{0,3}[ \-]?)?(?:\(\d{1,4}\)[ \-]?)?$")
_GROUPS = re.compile(r"\d+")
_ID_CONTEXT = re.compile(
    r"(?i)(?P<tin>\btin\b|tax identification|taxpayer)|(?P<sss>\bsss\b|social security system)|"
    r"(?P<philhealth>philhealth|\bphic\b)|(?P<pagibig>pag-?ibig|\bhdmf\b)|(?P<ssn>\bssn\b|social security)|"
    r"(?P<itin>\bitin\b)"
)
# Every alternative of _ID_CONTEXT, lower-cased: phrases, and words it wants between word boundaries.
# On ASCII text, where IGNORECASE is plain lower-casing, a window holding none of them cannot match
# (most windows: `setting`, `routing` hold `tin` but not as a word), and the slow regex is skipped.
_ID_PHRASES = ("tax identification", "taxpayer", "social security", "philhealth", "pag-ibig", "pagibig")
_ID_WORDS = ("tin", "sss", "ssn", "phic", "hdmf", "itin")
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


def _email_local_start(text: str, i: int) -> int:
    """Start of the local part that ends before the '@' at `i` (`i`: none)."""
    left = i
    if text[i - 1] == '"':  # quoted local part (RFC 5321): `"john doe"@example.com`
        q = text.rfind('"', max(0, i - 66), i - 1)
        # words, not code: `"..." + x + "@host"` joins strings (content opening or closing with a blank)
        if q >= 0 and (q == 0 or not text[q - 1].isalnum()) and _QUOTED_LOCAL.fullmatch(text, q + 1, i - 1):
            return q
        return i
    # dot-atom: ASCII atext, plus letters and digits of any script (RFC 6531: `josé@...`)
    while left > 0 and i - left < 64:
        ch = text[left - 1]
        if ch in _EMAIL_LOCAL or (ch > "\x7f" and ch.isalnum()):
            left -= 1
        else:
            break
    while left < i and text[left] in ".-+":
        left += 1
    return left


def _in_userinfo(text: str, i: int) -> bool:
    """The `@` at `i` ends the userinfo of a URL (`scheme://user:password@host`; context.py redacts the
    password): `://` earlier in the word with no `/`, `?` or `#` after it (a query's `?to=jane@x.org`
    is past the authority: an address)."""
    word_start = max(text.rfind(" ", 0, i), text.rfind("\n", 0, i)) + 1
    k = text.rfind("://", word_start, i)
    if k < 0:
        return False
    authority = text[k + 3 : i]
    return "/" not in authority and "?" not in authority and "#" not in authority


# Automated sender mailboxes: they name a service's outgoing mail, never a person
# (`12345+jdoe@users.noreply.github.com` does name one: its local part is no such mailbox).
_SYSTEM_SENDERS = frozenset(
    ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "mailer-daemon")
)


def _system_sender(text: str, left: int, at: int) -> bool:
    return at - left <= 13 and text[left:at].lower() in _SYSTEM_SENDERS


def email_spans(text: str) -> Iterator[Span]:
    n = len(text)
    i = text.find("@")
    while i > 0:
        m = _EMAIL_RIGHT.match(text, i)
        if m:
            left = _email_local_start(text, i)
            e = m.end()
            scp = e + 1 < n and text[e] == ":" and text[e + 1] in _SCP_PATH
            if left < i and not scp and not _in_userinfo(text, i) and not _system_sender(text, left, i):
                yield left, e, "EMAIL"
                i = text.find("@", e)
                continue
        i = text.find("@", i + 1)


def _pct_email_spans(text: str) -> Iterator[Span]:
    """`jane%40example.com`: an address percent-encoded in a query string or form body."""
    i = text.find("%40")
    while i > 0:
        m = _percent_patterns()[1].match(text, i)
        left = _email_local_start(text, i) if m else i
        # (the local part may hold escapes itself, `jane%2Bdev`; a value starts after `=`, `/`, `:`)
        if m and left < i and text[left] != "%" and not _system_sender(text, left, i):
            yield left, m.end(), "EMAIL"
            i = text.find("%40", m.end())
            continue
        i = text.find("%40", i + 1)


# IPv4 addresses and number-shaped data both start at a digit: one scan finds both. Neither kind of
# match can start inside the other (an IPv4 interior follows a digit or a dot, and a digit run cannot
# end just before `.digit`), so this yields exactly what `_IPV4` and `_NUMBER` find on their own.
# The look-behind both branches share (`[\w.]`: not inside a run) comes first, so a digit inside a run
# (most digits of a log line) costs one test; each branch then adds its own extra characters (`~`;
# `-/`, and `,`/`:` after a digit).
_DIGIT_LED_PATTERN = (
    r"\d(?<![\w.]\d)(?:(?<!~\d)(?P<ip>\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d++\.?\w))"
    r"|(?<![\-/]\d)(?<!\d,\d)(?<![\d\x22]:\d)(?:[ \-]?\d){6,22}(?:(?![\w\-]|\.\d)|(?=[xX]\d)))"
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


def _mac_identifies(mac: str) -> bool:
    """False for the broadcast address (all ones) and the null address: constants, no device's."""
    hexdigits = mac.lower().replace(":", "").replace("-", "").replace(".", "")
    return hexdigits.strip("f") != "" and hexdigits.strip("0") != ""


def _unspecified_address(text: str, s: int, e: int) -> bool:
    """`::` at [s, e) is the unspecified address: a value of its own (`src=:: dst=...`, `bind ::/0`,
    `host: "::"`), never `std::`, `a[::]`, a reST literal-block marker (`example ::` at a line's end)
    or the operator in a list of tokens (`'::', ':='`, `x + '::' + y`: quoted with no `=`/`:` before)."""
    n = len(text)
    # (a line start counts as the text's start: batches join documents with newlines)
    if not ((s == 0 or text[s - 1] in " \t\n=(\"'") and (e == n or text[e] in " \t/,.)\"'\n")):
        return False
    if e < n and text[e] == "\n":
        # a blank line next (or nothing): the reST marker that opens a literal block
        j = e + 1
        while j < n and text[j] in " \t":
            j += 1
        return j < n and text[j] != "\n"
    if e < n and text[e] in "\"'":
        # quoted: the whole quoted value, after a name (`host = '::'`, `"listen": "::"`)
        if s == 0 or text[s - 1] != text[e]:
            return False
        return text[: s - 1].rstrip(" \t")[-1:] in ("=", ":")
    return True


def _zone_end(text: str, e: int) -> int:
    """End of a scoped IPv6 address whose text ends at `e`: its zone index goes with it (RFC 4007
    `fe80::1%eth0`, RFC 6874 `%25eth0` in URIs), so `fe80::1%eth0/64` does not leave `%eth0/64`."""
    n = len(text)
    if e >= n or text[e] != "%":
        return e
    z = e + 1
    while z < n and (text[z].isalnum() or text[z] in "_.-"):
        z += 1
    while z > e + 1 and text[z - 1] in ".-":
        z -= 1
    return z if z > e + 1 else e


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
                # a fifth part after the address (`192.168.1.1.1`, a port or host part written with a
                # dot): the address, when its first octet has two or more digits (`1.2.3.4.5` and
                # `5.1.0.2.3` read as versions)
                if e + 1 < n and text[e] == "." and text[e + 1].isdigit() and text[s + 1] == ".":
                    continue
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
                if _mac_identifies(cand):
                    yield s, e, "MAC_ADDRESS"
                continue
            if cand == "::":
                if _unspecified_address(text, s, e):
                    yield s, e, "IP_ADDRESS"
                continue
            # full: 7 colons (6 before an embedded IPv4); compressed: "::" (cheap test before ipaddress)
            colons = cand.count(":")
            if ("::" not in cand and colons != 7 and not (colons == 6 and "." in cand)) or not ipv6_ok(cand):
                continue
            # `a::b`, `dead::beef` in code are valid addresses but not plausible ones; neither is a
            # subscript (`key[0::2]`, `x[::2]`): an address in brackets follows `//`, `@`, a blank or a
            # quote, never a name
            if (
                "::" in cand
                and s > 1
                and text[s - 1] == "["
                and (text[s - 2].isalnum() or text[s - 2] in "_])")
            ):
                continue
            if (
                "::" in cand
                and len([g for g in cand.split(":") if g]) < 3
                and not any(ch.isdigit() for ch in cand)
            ):
                continue
            yield s, _zone_end(text, e), "IP_ADDRESS"
    if "." in text:
        for m in _MAC_DOTTED.finditer(text):  # Cisco style 0123.4567.89ab
            s, e = m.start() - 4, m.end()
            if (
                s >= 0
                and _MAC_DOTTED_FULL.fullmatch(text, s, e)
                and (s == 0 or not text[s - 1].isalnum())
                and _mac_identifies(text[s:e])
            ):
                yield s, e, "MAC_ADDRESS"
    if "-" in text:
        for m in _MAC_DASH.finditer(text):
            s, e = m.start() - 2, m.end() + 2
            cand = text[s:e]
            ok_left = s == 0 or not (text[s - 1].isalnum() or text[s - 1] in "-:")
            ok_right = e >= n or not (text[e].isalnum() or text[e] in "-:")
            if s >= 0 and ok_left and ok_right and _MAC_DASH_FULL.fullmatch(cand) and _mac_identifies(cand):
                yield s, e, "MAC_ADDRESS"


def _may_classify(raw: str) -> bool:
    """False when `_classify_number` must return None for a run without a `+`/`(` lead.

    A cheap necessary condition (no group list built): timestamps, counters and block ids in logs
    fail it, so only plausible shapes pay for the full classification below.
    """
    if raw.isdigit():  # one run: ids (9, 10, 12, 14 digits), cards (13-19), phones (9-12)
        return 9 <= len(raw) <= 19
    if raw.startswith("00"):
        return True  # `0044 20 ...`: the international prefix, any grouping (rare: classify them all)
    sp, da = raw.find(" "), raw.find("-")
    nd = len(raw) - raw.count(" ") - raw.count("-")
    first = da if sp < 0 or 0 <= da < sp else sp
    if first > 4:  # every grouped format opens with 2 to 4 digits, but 0-led national phones
        return (
            (raw[0] == "0" and (10 <= nd <= 11 or (first <= 6 and 9 <= nd <= 12)))
            or (first == 5 and nd == 9)
            or (first >= 7 and nd >= 14)  # a long number and the groups after it (`_split_run`)
        )
    if raw[0] == "0":
        # 0-led: ids (9-14 digits), national phones (9-12), NANP's international prefix (011 44 ...),
        # and national numbers written side by side (`052 5552606 074-7111234`: a word of 7+ digits
        # in a longer chain, cut apart by `_split_run`; hex dump rows hold no such word)
        return (
            9 <= nd <= 14
            or (nd <= 18 and raw.startswith("011 "))
            or (nd > 14 and any(len(w) - w.count("-") >= 7 for w in raw.split(" ")))
        )
    if first == 4:
        return nd >= 12  # 4-4-4 Pag-IBIG, grouped cards
    return True


# Words that announce a phone number (short ones only as whole words: `hotel`, `excel`, `cancel`).
# `number` alone is not one (`order number`, `build number`); `my number` and `number is` are.
_PHONE_PHRASES = (
    "phone",
    "mobile",
    "call",
    "whatsapp",
    "contact number",
    "cellular",
    "my number",
    "number is",
    "reach me",
    "text me",
    "telefon",
)
_PHONE_WORDS = ("tel", "cell", "fax", "sms", "mob")


# A phone label right before the number, with at most a linking word and punctuation between
# (`phone: `, `call me at `, `"mobile_number": "`, `Tel. (`, `my number is `): the context for the short
# and ambiguous forms (7-9 or 12 digits, 4-4 and 5-5 groups), where a phone word further back
# (`phone-home check: 1234 5678`, `mobile app build 1234 5678`, `callback 123456789`) is not enough.
_PHONE_LABEL = re.compile(
    r"(?:(?<![a-z])(?:tel|fax|sms|cell|mob)|phone|mobile|cellular|telefon|whatsapp|"
    r"(?<![a-z])(?:call|text|reach)(?:[ \-]back)?(?: me| us)?|(?<![a-z])caller[ \-_]?id|(?:my|contact) number)"
    r"(?:[ _\-]?(?:number|num|nr|no)\b\.?)?(?: (?:is|at|on|to))?"
    r"[\x22' ]*[:=.#]?[\x22' ]*\(?$"
)


_LABEL_PUNCT = "\x22' :=.#("
# every _PHONE_LABEL match holds one of these (`mobile` holds `mob`, `telefon` `tel`, `my number` `number`)
_LABEL_WORDS = ("tel", "fax", "sms", "cell", "mob", "phone", "call", "text", "reach", "number", "whatsapp")
# and every one ends with one of these words (`phone`, `tel. `, `mobile_no`, `number is`, `call me at`)
_LABEL_ENDS = (
    *_LABEL_WORDS, "mobile", "cellular", "telefon", "num", "nr", "no", "is", "at", "on", "to", "me", "us",
    "back", "id",
)  # fmt: skip


def _letter_before(text: str, s: int) -> bool:
    """A letter before `s` past a few blanks and label punctuation: every phone label ends so, most
    texts before a number (a time, a pid, `=` after a digit) do not (Android's `pid tid` columns
    reach this test on every line)."""
    tail = text[max(0, s - 8) : s].rstrip(_LABEL_PUNCT)
    return bool(tail) and tail[-1].isalpha()


def _phone_label(before: str, *, strict: bool = False) -> bool:
    """A phone label ends `before`; `strict`: one that names a phone (`tel`, `mobile number`, `call
    me at`, `call back at`), not a verb alone (`call 1234567`, `text 12345678` are a call id and a
    length as often)."""
    tail = before.rstrip(_LABEL_PUNCT)
    if not tail or not tail[-1].isalpha():
        return False
    low = before[-40:].lower()
    if not any(word in low for word in _LABEL_WORDS):
        return False  # (most words before a number in a log: `processed 3002458 records`)
    m = _PHONE_LABEL.search(low)
    if m is None or not strict:
        return m is not None
    core = m.group().rstrip(_LABEL_PUNCT)
    if core.split(" ", 1)[0] not in ("call", "text", "reach"):
        return True  # a phone word (`tel`, `mobile no`, `caller id`)
    return " me" in core or " us" in core or "back" in core  # `call me at`, `call back at`


def _phone_context(before: str) -> bool:
    """A phone word in the few characters before a bare digit run."""
    low = before[-32:].lower()
    if any(p in low for p in _PHONE_PHRASES):
        return True
    return any(w in low and _has_word(low, w) for w in _PHONE_WORDS)


def _dialled_abroad(groups: list[int], digits: str) -> bool:
    """An international prefix instead of `+`: 00 (most countries: `0044 20 7946 0958`,
    `00 33 6 12 34 56 78`) or NANP's 011 as a group of its own (`011 44 7400 123456`), then a
    country code of 1-3 digits and a national number of 6-14 digits in 2+ groups; the group after
    the country code may be one digit (an area or mobile prefix), the others have 2+."""
    if digits[:2] == "00" and digits[2] != "0":
        prefix = 2
        rest = groups[1:] if groups[0] == 2 else [groups[0] - 2, *groups[1:]]
    elif groups[0] == 3 and digits[:3] == "011" and digits[3] != "0":
        prefix = 3
        rest = groups[1:]
    else:
        return False
    national = len(digits) - prefix - rest[0]
    return 1 <= rest[0] <= 3 and len(rest) >= 3 and 6 <= national <= 14 and min(rest[2:]) >= 2


def _bare_phone(digits: str, before: str) -> bool:
    """A bare run of 9-12 digits that is a phone number by the words before it.

    A national plan could hold it: not epoch seconds (10 digits led by 1) nor a zero-padded counter
    (`00...`); 11 digits may open with 1 (NANP trunk 1, Brazilian area 11), 12 only with the trunk 0
    (German mobiles 015x). NANP numbers (10 digits, area and exchange led by 2-9; 11 with the trunk
    1) and 11-digit trunk-0 numbers count under a phone word anywhere in the last 32 characters;
    other national runs (also ids and byte counts) only right after a phone label (`phone: `, not
    `call stack ... 2345678901`). (One function for both tests: it runs for most bare runs of a log.)
    """
    nd = len(digits)
    first = digits[0]
    if nd <= 8:
        # a local number without its area code (`phone: 5550132`, `tel: 81234567`), led by 2-9 as
        # subscriber numbers are, right after a label that names a phone (not a bare `call`/`text`)
        return nd >= 7 and first not in "01" and _phone_label(before, strict=True)
    if first == "0":
        if nd < 9 or digits[1] == "0":
            return False
        loose = nd == 11
    elif nd == 11:
        loose = first == "1" and digits[1] in "23456789"
    elif nd == 12 and digits.startswith("639"):
        # a Philippine mobile with its country code but no `+` (63 917 ...), as SMS gateways log it
        loose = True
    elif (nd == 9 or nd == 10) and first != "1":
        loose = nd == 10 and digits[3] in "23456789"
    else:
        return False
    return _phone_context(before) if loose else _phone_label(before)


def _short_phone_shape(groups: list[int], nd: int) -> bool:
    """Grouped 7-12 digits as local numbers are written (under a phone word only): groups of 2+
    digits, the last of 3+ (dates end in 2 digits or are 2-2-4: 15-01-2024)."""
    return 7 <= nd <= 12 and min(groups) >= 2 and groups[-1] >= 3 and groups != [2, 2, 4]


def _ssn_kind(area: str, group: str, serial: str) -> str | None:
    """A number written 3-2-4: an SSN, or an IRS ITIN (9xx area, its own group ranges), or neither."""
    if ssn_ok(area, group, serial):
        return "SSN"
    return "ITIN" if itin_ok(area, group, serial) else None


_PH_SPACED = {
    (3, 3, 3): ("tin", "TIN"),
    (3, 3, 3, 3): ("tin", "TIN"),
    (3, 3, 3, 5): ("tin", "TIN"),
    (2, 7, 1): ("sss", "SSS"),
    (2, 9, 1): ("philhealth", "PHILHEALTH"),
    (4, 4, 4): ("pagibig", "PAGIBIG"),
}
_SSN_WEAK = ((3, 6), (5, 4))  # SSN digits grouped otherwise than 3-2-4 (accepted under the name only)


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
    if " " in raw and "-" not in raw and shape in _PH_SPACED:
        # the same groupings written with blanks (`TIN 123 456 789 000`), common in forms and OCR
        # text: under the id's own name only (blank-separated groups are also counts and columns)
        name, kind = _PH_SPACED[shape]
        ctx = _id_context(before)
        if ctx is not None and ctx.lastgroup == name:
            return kind
    if shape == (3, 2, 4):
        return _ssn_kind(digits[:3], digits[3:5], digits[5:])
    # Cards: 13-19 digits, a known issuer range (2-6), Luhn; contiguous or in 4-digit groups (Amex 4-6-5)
    if nd == 15 and digits[0] == "1" and len(groups) == 1 and luhn_ok(digits):
        return "CARD"  # UATP (airline) cards: 15 digits starting with 1
    card_grouping = len(groups) == 1 or all(g == 4 for g in groups[:-1]) or shape in ((4, 6, 5), (4, 6, 4))
    if (
        13 <= nd <= 19
        and digits[0] in "23456"
        and card_grouping
        # 2-series cards are Mastercard 2221-2720 and Mir 2200-2204, 16 digits: `2024...` date-times are not
        and (
            digits[0] != "2"
            or (nd == 16 and ("2221" <= digits[:4] <= "2720" or "2200" <= digits[:4] <= "2204"))
        )
        and luhn_ok(digits)
    ):
        return "CARD"
    # Phones: Philippine mobile 09xx, NANP 3-3-4, 0-prefixed national numbers (JP 090-1234-5678)
    if digits.startswith("09") and nd == 11 and (len(groups) == 1 or shape in ((4, 3, 4), (4, 7), (2, 9))):
        return "PHONE"
    if shape == (3, 3, 4) and digits[0] in "23456789":
        return "PHONE"
    if shape == (1, 3, 3, 4) and digits[0] == "1" and digits[1] in "23456789":
        return "PHONE"  # NANP with its trunk 1 (1-800-555-0199)
    if shape == (3, 4, 4) and digits[0] == "1" and digits[1] in "3456789":
        return "PHONE"  # Chinese mobiles: 1[3-9]x, written 3-4-4 (138 0013 8000)
    if (
        len(groups) >= 3
        and digits[0] == "0"
        and digits[1] != "0"
        and 9 <= nd <= 11
        and all(g >= 2 for g in groups)
    ):
        # trunk 0 in three or more groups (02-123-4567, 0121 234 5678, 01 23 45 67 89); no area code
        # opens with 0 (`00 01 00 00 00` is a hex dump; 00 + a country code is `_dialled_abroad`)
        return "PHONE"
    if len(groups) >= 3 and digits[0] == "0" and _dialled_abroad(groups, digits):
        return "PHONE"
    if len(groups) == 2 and digits[0] == "0" and digits[1] != "0" and 9 <= nd <= 12:
        # trunk 0, area/mobile prefix, subscriber number: 09-7625400, 030 12345678, 07700 900123,
        # 06 12345678, 081234 56789 (spaced 9-digit ones need a prefix of 3+ digits: `08 1234567` is as
        # likely a day and a count); 10-12 digits in any two groups of 2-6 and 4-9 digits
        # (015058 840875, 01 234567890)
        if nd >= 10 and 2 <= groups[0] <= 6 and 4 <= groups[1] <= 9:
            return "PHONE"
        if (2 if "-" in raw else 3) <= groups[0] <= 5 and 6 <= groups[1] <= 8:
            return "PHONE"
    if shape == (3, 2, 2, 2) and digits[0] != "0":
        return "PHONE"  # 612 34 56 78: 9-digit plans written in pairs (Spain); no date, amount or id looks so
    if len(groups) == 1 and nd <= 12 and _bare_phone(digits, before):
        return "PHONE"
    if len(groups) >= 2 and _short_phone_shape(groups, nd) and _phone_label(before):
        # grouped local forms under a phone word: 555-0132, 8123 4567, 98456 56666, 612 345 678
        return "PHONE"
    # Unformatted ids need their name nearby
    # (9 digits in any grouping under an SSN name: `078-051120`, `07805-1120` are written too)
    ctx = _id_context(before) if nd in (9, 10, 12, 14) and (len(groups) == 1 or shape in _SSN_WEAK) else None
    if ctx:
        kind = ctx.lastgroup
        if kind in ("itin", "tin") and nd == 9 and (kind == "itin" or len(groups) > 1):
            # an IRS ITIN under its name or a taxpayer-id name, also grouped 3-6 or 5-4 as SSNs are
            return "ITIN" if itin_ok(digits[:3], digits[3:5], digits[5:]) else None
        if len(groups) > 1 and kind != "ssn":
            return None
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
_DOTTED_PH_MOBILE = re.compile(r"\b09\d{2}\.\d{3}\.\d{4}\b")
_DOTTED_PHONE = re.compile(r"\(?\b[2-9]\d{2}\)?\.\d{3}\.\d{4}\b")
# every `.` that could be the first dot of a dotted phone or SSN (consumes only the dot: none is missed)
_DOT_TAIL = re.compile(r"\.(?=\d{2,3}\.\d{4}\b)")


def _dotted_end_ok(text: str, e: int) -> bool:
    """A dotted number ends at `e`: not followed by another dotted, dashed or slashed part, nor by
    `:digits` (a port or a time); a colon that ends a clause (`failed for 555.123.4567: ...`) is fine."""
    if e >= len(text):
        return True
    ch = text[e]
    if ch == ":":
        return e + 1 == len(text) or not text[e + 1].isdigit()
    return ch not in ".-/"


def _dotted_spans(text: str) -> Iterator[Span]:
    """`555.123.4567` and `123.45.6789`: found from their `.dd(d).dddd` tail, a literal-led scan.

    Same results as running both full patterns over the text (each match starts 3 to 5 characters
    before its first dot), without their costly start at every digit of a log line.
    """
    phone_end = ssn_end = -1
    for t in _DOT_TAIL.finditer(text):
        p = t.start()
        if p >= 4 and text[p - 4 : p - 2] == "09" and p - 4 >= phone_end:
            # a Philippine mobile written with dots (`0917.123.4567`): 09xx, then 3 and 4 digits
            m = _DOTTED_PH_MOBILE.match(text, p - 4)
            if m is not None and (p == 4 or text[p - 5] not in ".-/:") and _dotted_end_ok(text, m.end()):
                phone_end = m.end()
                yield p - 4, phone_end, "PHONE"
                continue
        for st in (p - 5, p - 4, p - 3):
            if st < phone_end or st < 0:
                continue
            m = _DOTTED_PHONE.match(text, st)
            if m is not None and m.end() > p:
                phone_end = s_e = m.end()
                s = m.start()
                if _dotted_end_ok(text, s_e):
                    if s == 0 or text[s - 1] not in ".-/:":
                        yield s, s_e, "PHONE"
                    elif text[s - 3 : s] == "+1." and (s == 3 or not text[s - 4].isalnum()):
                        yield s - 3, s_e, "PHONE"  # `+1.212.555.0198`: with the NANP country code
                break
        st = p - 3
        if st >= max(0, ssn_end):
            m = _DOTTED_SSN.match(text, st)
            if m is not None:
                ssn_end = s_e = m.end()
                d = m.group().split(".")
                if (st == 0 or text[st - 1] not in ".-/:") and _dotted_end_ok(text, s_e):
                    kind = _ssn_kind(*d)
                    if kind:
                        yield st, s_e, kind


def _in_iban_groups(text: str, s: int) -> bool:
    """`text[s:]` follows 4-character groups (single blanks) back to a word that opens with `AA99`."""
    k = s
    for _ in range(8):  # an IBAN has at most 8 groups before its last digits
        g = k - 5
        if g < 0 or text[k - 1] != " " or not text[g : k - 1].isalnum() or (g > 0 and text[g - 1].isalnum()):
            return False
        if _IBAN_HEAD.fullmatch(text, g, k - 1):
            return True
        k = g
    return False


# `+44.7400.123456`, `+33.6.12.34.56.78`: international numbers grouped with dots (the digit-run
# regex takes blanks and dashes only; NANP's `+1.212.555.0198` is also found by `_dotted_spans`)
# (the `+` literal first and the look-behind after it: the regex engine then skips to each `+`)
_PLUS_DOTTED = re.compile(r"\+(?<![\w+]\+)(\d{1,3})((?:\.\d{1,10}){2,6})(?!\w|\.\d)")


def _plus_dotted_spans(text: str) -> Iterator[Span]:
    for m in _PLUS_DOTTED.finditer(text):
        groups = [len(g) for g in m.group(2)[1:].split(".")]
        national = sum(groups)
        # country code + national number: 8-15 digits (E.164); after the first national group
        # (an area or mobile prefix, possibly one digit) groups of 2+ (`+1.2.3.4` is a version)
        if 6 <= national <= 14 and len(m.group(1)) + national <= 15 and min(groups[1:]) >= 2:
            yield m.start(), m.end(), "PHONE"


# `%2B14155550132`, `%2B44%2020%207946%200958`: an international number percent-encoded in a URL query
# or form body (`+` is `%2B`, a blank `%20`); each repeat takes exactly one digit, so the match is linear
@functools.cache
def _percent_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(encoded international number, the part of an encoded address from its `%40`), compiled on
    the first text holding a `%` (import time counts for the server's cold start)."""
    return (
        re.compile(r"%2[Bb]\d(?:(?:%20|[\-.])?\d){7,14}(?![\w\-]|%20\d|[\-.]\d)"),
        re.compile("%40" + _EMAIL_DOMAIN),
    )


def percent_encoded_spans(text: str) -> Iterator[Span]:
    """Phones and e-mail addresses percent-encoded in URL queries and form bodies (`%2B`, `%40`).

    (Run from `number_spans`, which the engine calls for every text: `email_spans` runs only where
    a literal `@` is.)
    """
    for m in _percent_patterns()[0].finditer(text):
        yield m.start(), m.end(), "PHONE"
    if "%40" in text:
        yield from _pct_email_spans(text)


def _before(text: str, s: int) -> str:
    """The 40 characters before `s`, not reaching back over a NUL (a document boundary in batches)."""
    before = text[max(0, s - 40) : s]
    return before[before.rfind("\x00") + 1 :]


def number_spans(text: str, candidates: list[re.Match[str]] | None = None) -> Iterator[Span]:
    """Phones, cards, national ids; `candidates`: `_NUMBER` matches from `digit_led`, if already found."""
    n = len(text)
    if "." in text:
        yield from _dotted_spans(text)
    if "+" in text and "." in text:
        yield from _plus_dotted_spans(text)
    if "%" in text:
        yield from percent_encoded_spans(text)
    runs = list(_NUMBER.finditer(text)) if candidates is None else candidates
    done = -1  # end of the last chain of runs split by `_split_run`
    for idx, m in enumerate(runs):
        s, e = m.span()
        if s < done:
            continue
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
            # No lead: a single run of digits classifies only with 9-19 digits; rejecting the rest
            # here keeps timestamps and counters out of _classify_number.
            raw = m.group()
            # (grouped local numbers ending in 3+ digits may still be phones under a phone word:
            # `8123 4567`; dates and clock times end in 2 digits and cost one slice test)
            # (a bare run of 7-8 digits, likewise: a local number only right after a phone label; a
            # C-level test of the word before it first, as most such runs in logs are counts and sizes)
            if not _may_classify(raw) and (
                (
                    len(raw) not in (7, 8)
                    or not text[max(0, s - 16) : s].rstrip(_LABEL_PUNCT).lower().endswith(_LABEL_ENDS)
                    if raw.isdigit()
                    else not raw[-3:].isdigit()
                )
                or not _letter_before(text, s)
                or not _phone_label(_before(text, s))
            ):
                continue
        if s > 0 and (
            text[s - 1].isalnum()
            or text[s - 1] in "_-/.+"
            or (text[s - 1] in ",:" and s > 1 and text[s - 2].isdigit())  # `1,234,567`, `12:30:45`
            or (text[s - 1] == ":" and s > 1 and text[s - 2] == '"')  # `"bytes":4633...` (compact JSON)
        ):
            continue
        ext = e + 1 < n and text[e] in "xX" and text[e + 1].isdigit()  # a phone's extension
        if (
            e < n
            and not ext
            and (
                text[e].isalnum()
                or text[e] in "_-"
                or (text[e] == "." and e + 1 < n and text[e + 1].isdigit())
            )
        ):
            continue
        raw = text[s:e]
        # the 4-digit groups of an IBAN-shaped run (`DE89 3704 0044 ...`, `IQ15 ABCD 0012 ...`) that failed
        # its own check are not a card or a phone either: iban_spans alone decides that run (also when
        # the groups are mistyped right after the head: `HR12 001 0051 8630 0016 A`)
        if (
            s >= 5
            and text[s - 1] == " "
            and (raw[4:5] == " " or text[s - 5 : s - 3].isupper())
            and _in_iban_groups(text, s)
        ):
            continue
        before = text[max(0, s - 40) : s]
        kind = _run_kind(raw, before[before.rfind("\x00") + 1 :])
        if kind:
            if not ext or kind == "PHONE":
                yield s, e, kind
        elif e - s >= 13 and " " in raw:
            # numbers written side by side run together (`4012-8888-8888-1881 4012 8888 8888 1881`,
            # `415-555-0132 555 ...`): a run that is nothing as a whole is split at its blanks, with the
            # runs that follow it after one blank
            end = e
            k = idx + 1
            while k < len(runs) and runs[k].start() == end + 1 and text[end] == " " and end - s < 96:
                end = runs[k].end()
                k += 1
            done = end
            yield from _split_run(text, s, end)


def _run_kind(raw: str, before: str) -> str | None:
    """The kind of a number run (`raw`, its lead included) with `before` the text before it."""
    if len(raw) <= 12 and raw.isdigit():
        # a bare run of 9-12 digits is a phone only under a phone word and an id only under its name
        # (epoch times, counters and request ids are neither); 11 digits led by 09 (Philippine
        # mobiles) stand alone
        if _bare_phone(raw, before):
            return "PHONE"
        if len(raw) == 11:
            if not raw.startswith("09"):
                return None
        elif not _id_context(before):
            return None
    return _classify_number(raw, before)


def _split_run(text: str, s: int, e: int) -> Iterator[Span]:
    """Numbers inside `text[s:e]`, a blank-separated chain of groups that is no number as a whole.

    The chain is cut only next to a word that is a number of its own: one grouped with dashes
    (`4012-8888-8888-1881`, `415-555-0132`) or a card-length run (13+ digits). Blank-separated short groups stay
    together (`6223 4227 7037 4332 1` is one mistyped card, not a card and a `1`); from each cut, the
    longest window of up to 6 words and 7-19 digits (a card has at most 5 groups and 19 digits, a
    phone 6 groups and 15) ending at a cut is taken. Windows are bounded so that a page of numbers
    (`12345678 23456789 ...`) costs about one classification per word.
    """
    words: list[tuple[int, int]] = []
    a = s
    i = text.find(" ", s, e)
    while i >= 0:
        words.append((a, i))
        a = i + 1
        i = text.find(" ", a, e)
    words.append((a, e))
    ndig = [b - a - text.count("-", a, b) for a, b in words]
    unit = [nd >= 13 or 7 <= nd < b - a for nd, (a, b) in zip(ndig, words, strict=True)]
    # cut[k]: a window may start at word k / end before word k
    cut = [True] + [unit[k - 1] or unit[k] for k in range(1, len(words))] + [True]
    i = 0
    while i < len(words):
        nxt = i + 1
        if cut[i]:
            total = 0
            ends = []
            for j in range(i + 1, min(len(words), i + 6) + 1):
                total += ndig[j - 1]
                if total > 19:
                    break
                # (one blank-free word of under 9 digits is never a number on its own: bare runs
                # need 9+, dashed local numbers `555-0132` a phone label, looked for only if dashed)
                if cut[j] and total >= 7 and (j > i + 1 or total >= 9 or ndig[i] < words[i][1] - words[i][0]):
                    ends.append(j)
            for j in reversed(ends):
                a, b = words[i][0], words[j - 1][1]
                kind = _run_kind(text[a:b], _before(text, a))
                if kind:
                    yield a, b, kind
                    nxt = j
                    break
        i = nxt


# ASCII views (see `ascii_view`) as byte classes, so `bytes.find` (a skipping search in C) locates rare
# shapes without a regex attempt at every letter or digit: alnum -> "w", else " " (runs); digit -> "9",
# upper -> "A" (IBAN). A non-ASCII character is `?` in the view, a non-word character like any other.
_RUN_TABLE = bytes(0x77 if chr(i).isascii() and chr(i).isalnum() else 0x20 for i in range(256))
_SHAPE_TABLE = bytes(
    0x39
    if 48 <= i <= 57
    else 0x41
    if 65 <= i <= 90
    else 0x61
    if 97 <= i <= 122
    else 0x20
    if i == 0x20
    else 0x23
    for i in range(256)
)
# _IBAN over the shape map (upper -> A, digit -> 9, space kept, else #): the same matches at the same
# offsets, found by a literal-led scan of bytes
_IBAN_SHAPE = re.compile(rb"AA99(?: ?[A9]){11,34}")
# Lower-case IBANs (`de89 3704 ...`, as typed into forms and URLs): the same shape in lower case, tried
# only at the start of a word (hex digests are full of `ab12` inside words). Heads are found as the
# literal `aa99` of the shape map, with the word-start test as a look-behind after it (a class- or
# look-behind-led scan costs ~8x more on hex-heavy logs); lines with non-ASCII letters use
# `_IBAN_LOWER_HEAD` instead, with ASCII classes so both find the same starts. Every start is tried on
# its own (no match consumes the next). Dash-grouped ones (`DE89-3704-0044-...`, either case) take the
# same strict path, from an `AA99-` head.
_IBAN_LOWER = re.compile(r"[a-z][a-z][0-9]{2}(?:[ \-]?[a-z0-9]){11,34}")
_IBAN_DASHED = re.compile(r"[A-Z][A-Z][0-9]{2}(?:-?[A-Z0-9]){11,34}")
_IBAN_LOWER_HEAD = re.compile(r"(?<![A-Za-z0-9])(?:[a-z][a-z][0-9]{2}|[A-Z][A-Z][0-9]{2}-)")
# heads at a word start: the look-behind sits after the literal, so the scan stays literal-led
_LOWER_HEAD_SHAPE = re.compile(rb"aa99(?<![Aa9]aa99)")
_DASH_HEAD_SHAPE = re.compile(rb"AA99#(?<![Aa9]AA99#)")
_IBAN_HEAD = re.compile(r"[A-Za-z]{2}[0-9]{2}")

# BBAN structure per country (SWIFT IBAN registry): n digits, a upper-case letters, c letters or digits.
# Checked for lower-case candidates, where the registry length and mod-97 alone would let about one in
# a hundred look-alike words through.
_BBAN_SPEC = """
AD 4n4n12c AE 3n16n AL 8n16c AT 5n11n AZ 4a20c BA 3n3n8n2n BE 3n7n2n BG 4a4n2n8c BH 4a14c
BI 5n5n11n2n BR 8n5n10n1a1c BY 4c4n16c CH 5n12c CR 4n14n CY 3n5n16c CZ 4n6n10n DE 8n10n
DJ 5n5n11n2n DK 4n9n1n DO 4c20n EE 2n2n11n1n EG 4n4n17n ES 4n4n1n1n10n FI 3n11n FK 2a12n
FO 4n9n1n FR 5n5n11c2n GB 4a6n8n GE 2a16n GI 4a15c GL 4n9n1n GR 3n4n16c GT 4c20c HN 4a20n
HR 7n10n HU 3n4n1n15n1n IE 4a6n8n IL 3n3n13n IQ 4a3n12n IS 4n2n6n10n IT 1a5n5n12c JO 4a4n18c
KW 4a22c KZ 3n13c LB 4n20c LC 4a24c LI 5n12c LT 5n11n LU 3n13c LV 4a13c LY 3n3n15n MC 5n5n11c2n
MD 2c18c ME 3n13n2n MK 3n10c2n MN 4n12n MR 5n5n11n2n MT 4a5n18c MU 4a2n2n12n3n3a NI 4a20n
NL 4a10n NO 4n6n1n OM 3n16c PK 4a16c PL 8n16n PS 4a21c PT 4n4n11n2n QA 4a21c RO 4a16c RS 3n13n2n
RU 9n5n15c SA 2n18c SC 4a2n2n16n3a SD 2n12n SE 3n16n1n SI 5n8n2n SK 4n6n10n SM 1a5n5n12c
SO 4n3n12n ST 4n4n11n2n SV 4a20n TL 3n14n2n TN 2n3n13n2n TR 5n1n16c UA 6n19c VA 3n15n VG 4a16n
XK 4n10n2n YE 4a4n18c
"""
_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[0-9A-Z]"}
# country -> BBAN pattern, as text: compiled (re's cache) when a candidate of that country is checked,
# so start-up does not compile ~90 patterns that most texts never need
_BBAN: dict[str, str] = {
    country: "".join(f"{_BBAN_CLASS[c]}{{{k}}}" for k, c in re.findall(r"(\d+)([nac])", spec))
    for country, spec in zip(_BBAN_SPEC.split()[::2], _BBAN_SPEC.split()[1::2], strict=True)
}
_BTC_RUN = b"w" * 26
_B58_CHARS = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_UNSET = TextView(b"unset", ())  # `view` not given: compute it


_ETH = re.compile(r"(?<!\w)0x[0-9a-fA-F]{40}(?!\w)")
_HEX = frozenset("0123456789abcdefABCDEF")


def eth_checksummed(body: str) -> bool:
    """40 hex digits in EIP-55 mixed case (upper and lower letters both, checksum right).

    All-lower or all-upper `0x` + 40 hex carries no checksum and is as often a SHA-1 or a contract
    hash in logs: left alone, as Presidio leaves lower-case ones.
    """
    return (
        len(body) == 40
        and _HEX.issuperset(body)
        and body.lower() != body
        and body.upper() != body
        and eip55_ok(body)
    )


def _wallet_at(text: str, s: int, e: int) -> list[Span]:
    out = [
        (m.start(), m.end(), "CRYPTO_WALLET")
        for m in _BTC.finditer(text, s, e)
        if (m.start() == 0 or not text[m.start() - 1].isalnum()) and base58check_ok(m.group())
    ]
    if "0x" in text:
        out.extend(
            (m.start(), m.end(), "CRYPTO_WALLET")
            for m in _ETH.finditer(text, s, e)
            if eth_checksummed(m.group()[2:])
        )
        out.sort()
    if "BC1" in text or "TB1" in text:  # (the plain path: texts with non-ASCII letters on many lines)
        out.extend(
            (m.start(), m.end(), "CRYPTO_WALLET")
            for m in _BECH32_UPPER.finditer(text, s, e)
            if bech32_ok(m.group())
        )
        out.sort()
    return out


_BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_UPPER = re.compile(r"(?<![\w\-])(?:BC1|TB1)[02-9AC-HJ-NP-Z]{25,87}(?![\w\-])")  # (as rules.py's)


def bech32_ok(addr: str) -> bool:
    """BIP-173 (bech32) or BIP-350 (bech32m) checksum of a segwit address, any one case."""
    low = addr.lower()
    sep = low.rfind("1")
    if sep < 1:
        return False
    chk = 1
    values = [ord(c) >> 5 for c in low[:sep]] + [0] + [ord(c) & 31 for c in low[:sep]]
    for ch in low[sep + 1 :]:
        d = _BECH32_CHARS.find(ch)
        if d < 0:
            return False
        values.append(d)
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            if (top >> i) & 1:
                chk ^= g
    return chk in (1, 0x2BC830A3)


def wallet_spans(text: str, view: TextView | None = _UNSET) -> list[Span]:
    """Legacy/P2SH bitcoin addresses (base58 with a double-SHA256 checksum); lower-case bech32 ones are
    prefix rules (rules.py), upper-case ones (`BC1Q...`, as QR codes carry them) are checked here;
    Ethereum addresses in EIP-55 mixed case (`0x` + 40 hex, Keccak-256 checksum) too.

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
    # An upper-case bech32 address is such a run too (28-90 characters, no `_`/`-` on either side).
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
                (
                    e - i <= 35
                    and text[i] in "13"
                    and (e == n or text[e] != "_")
                    and _B58_CHARS.issuperset(text[i:e])
                    and base58check_ok(text[i:e])
                )
                or (
                    e - i == 42
                    and text[i : i + 2] == "0x"
                    and (i == 0 or text[i - 1] != "_")
                    and (e == n or text[e] != "_")
                    and eth_checksummed(text[i + 2 : e])
                )
                or (
                    text[i + 1 : i + 3] in ("C1", "B1")
                    and _BECH32_UPPER.fullmatch(text, i, e)
                    and (i == 0 or text[i - 1] not in "_-")
                    and (e == n or text[e] not in "_-")
                    and bech32_ok(text[i:e])
                )
            ):
                out.append((i, e, "CRYPTO_WALLET"))
            i = runs.find(_BTC_RUN, e, hi)
    return out


def _iban_matches(text: str, view: TextView | None = _UNSET) -> list[re.Match[str]]:
    """`_IBAN.finditer(text)`; with a view, the same pattern over its shape map (literal-led)."""
    return _iban_both(text, view)[0]


def _strict_starts(shapes: bytes, text: str, lo: int, hi: int, upper: bool) -> list[int]:
    """Word starts in [lo, hi) of the shape map with a lower-case `aa99` head or an `AA99-` one."""
    out = [m.start() for m in _LOWER_HEAD_SHAPE.finditer(shapes, lo, hi)]
    if upper:  # (the text holds an `AA99` at all; `#`: any character but a letter, digit or blank)
        out.extend(i for m in _DASH_HEAD_SHAPE.finditer(shapes, lo, hi) if text[(i := m.start()) + 4] == "-")
    return out


def _strict_match(text: str, i: int) -> re.Match[str] | None:
    return (_IBAN_DASHED if text[i].isupper() else _IBAN_LOWER).match(text, i)


def _iban_both(text: str, view: TextView | None = _UNSET) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """(`_IBAN` matches, lower-case or dashed candidates at each word start), from one shape map."""
    if view is _UNSET:
        view = text_view(text)
    if view is None:
        heads: Iterable[int] = [h.start() for h in _IBAN_LOWER_HEAD.finditer(text)]
        return list(_IBAN.finditer(text)), [m for i in heads if (m := _strict_match(text, i))]
    data, lines = view
    shapes = data.translate(_SHAPE_TABLE)
    upper = bool(lines) or b"AA99" in shapes
    lower = bool(lines) or b"aa99" in shapes
    if not (upper or lower):
        return [], []
    out: list[re.Match[str]] = []
    starts: list[int] = []
    for lo, hi, wide in _segments(len(text), lines) if lines else ((0, len(text), False),):
        if wide:
            out.extend(_IBAN.finditer(text, lo, hi))
            starts.extend(h.start() for h in _IBAN_LOWER_HEAD.finditer(text, lo, hi))
            continue
        if upper:  # the same matches, as str matches
            match = _IBAN.match
            out.extend(match(text, m.start()) for m in _IBAN_SHAPE.finditer(shapes, lo, hi))  # type: ignore[misc]
        starts.extend(_strict_starts(shapes, text, lo, hi, upper))
    return out, [m for i in starts if (m := _strict_match(text, i))]


def _bban_fits(compact: str) -> bool:
    """The account part follows its country's registered structure (letters only where the registry
    puts letters: `DE89 A704 ...` is a mistyped German IBAN even when mod-97 happens to hold, about one
    candidate in a hundred); a country without a registered structure passes."""
    bban = _BBAN.get(compact[:2])
    return bban is None or re.compile(bban).fullmatch(compact, 4) is not None


def iban_spans(text: str, view: TextView | None = _UNSET) -> list[Span]:
    out: list[Span] = []
    upper, lower = _iban_both(text, view)
    for m in upper:
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
            compact = raw[:end].replace(" ", "")
            if iban_ok(compact) and _bban_fits(compact):
                out.append((m.start(), m.start() + end, "IBAN"))
                break
    for m in lower:
        raw = m.group()
        country = raw[:2].upper()
        if country not in _BBAN:
            continue  # lower case or dashed: registered countries only
        want = IBAN_LENGTHS[country]
        ends = [j + 1 for j, ch in enumerate(raw) if ch not in " -"]
        if want > len(ends):
            continue
        end = ends[want - 1]
        if end < len(raw) and raw[end] != " ":
            continue  # a cut inside a group, or a dashed run that goes on past the country's length
        compact = raw[:end].replace(" ", "").replace("-", "").upper()
        if _bban_fits(compact) and iban_ok(compact):
            out.append((m.start(), m.start() + end, "IBAN"))
    return out
