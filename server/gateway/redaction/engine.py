"""Find every sensitive span in a text: the detector pipeline behind `Vault.redact`.

Order of work per text (one pass per family, each gated by a substring prefilter):
  1. private-key blocks (only if "PRIVATE KEY" occurs);
  2. one trie scan for all literal-prefixed vendor formats + JWT (`rules.TRIGGER_RE`), plus the few
     formats without a literal start, each behind its own gate substring;
  3. context: sensitive names followed by a value, headers, URL userinfo, curl -u (`context`);
  4. personal data: e-mail (per '@'), one digit-led scan for IPv4 addresses and every number format,
     IPv6/MACs from their colons, IBANs and bitcoin addresses.
Overlaps are resolved longest-first, so a whole `user:password` or quoted value wins over a piece of it.

Speed (plain logs are mostly digits and words without secrets): every scan is a C-level regex or
`str.find`/`bytes.find`; patterns open with a literal or a character class, never a look-behind or a
repeat, so the regex engine's prefix scan skips positions that cannot match (a literal first character
is found ~10x faster than a class: gated anchors opening with a few literals scan once per literal);
rare shapes (IBAN, bitcoin) are located over a byte-class map of the text's one-byte view, which also
lets the ASCII forms of the patterns run on every line whose letters and digits are ASCII
(`pii.text_view`; the Unicode forms run on the other lines);
number candidates that no format can accept are dropped before any Python-level classification.
Python work is per candidate, not per character. tests/test_redaction_fastpaths.py and
tests/test_redaction_speedpaths.py check each shortcut against the plain form it replaces.
"""

from __future__ import annotations

import base64
import bisect
import json
import operator
import re
from collections.abc import Callable, Iterable

from . import context, pii
from .rules import GATED, PRIVATE_KEY_RE, TRIGGER_AT_START, TRIGGER_LENGTHS, TRIGGER_RE, TRIGGERS, Rule
from .validators import has_mask, is_placeholder, jwt_ok, shannon, up_steps

Span = tuple[int, int, str]

_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
# priority when two candidates have the same length (lower wins)
_PRIORITY = {"PRIVATE_KEY": 0}
_START = operator.methodcaller("start")
_BEGIN, _END = operator.itemgetter(0), operator.itemgetter(1)


# words that make a vendor-prefixed body a placeholder (`ghp_ThisIsWhereYourTokenGoes1`); a generated
# body holds one by chance about once in 10^4 tokens. Plain `in` tests: a few C-level scans beat one
# regex alternation on the short bodies checked here
_FILLER_WORDS = (
    "your",
    "here",
    "example",
    "placeholder",
    "replace",
    "insert",
    "dummy",
    "changeme",
    "redacted",
)
_PHRASE_WORDS = re.compile(r"token|secret|random|string|value|config|access|password|slack|key|bot|user|api")
_CAMEL_WORD = re.compile(r"[A-Z][a-z]{2,}")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def _digits(s: str) -> int:
    raw = s.encode()
    return len(raw) - len(raw.translate(None, b"0123456789"))  # bytes deletion: ~10x str.translate


def _filler_body(body: str) -> bool:
    """Typed filler after a real prefix: placeholder words, a camel-case or all-caps phrase, a periodic
    run or the alphabet (`SlackAppConfigurationTokenHere`, `MYRANDOMSTRING`, `qwerty-qwerty`).

    Runs on every vendor-prefixed hit that passed the entropy test, so the common case (a random
    token) leaves after a few C-level calls."""
    low = body.lower()
    for word in _FILLER_WORDS:
        if word in low:
            return True
    core = body if body.isalnum() else _NOT_ALNUM.sub("", body)
    n = len(core)
    if n < 8:
        return False
    if (core + core).find(core, 1) < n:
        return True  # a unit repeated (`qwertyqwerty`)
    # the alphabet typed out (`Syabcdefghijklmnopqrstuvwxyz1234567`): nearly every step is +1. Test keys
    # in vendor suites mix such runs with other characters (`abc123xyz-456def789ghij-...`, ~60-80% of
    # steps) and must still hide, hence the high bar; typed alphabets are short. Two sampled steps
    # decide first (a random body almost never has one +1 step there, an alphabet almost always both)
    if n <= 96:
        q = n // 3
        sampled = (ord(core[q + 1]) - ord(core[q]) == 1) + (ord(core[2 * q + 1]) - ord(core[2 * q]) == 1)
        if sampled and up_steps(core) >= 0.88 * (n - 1):
            return True
    if n >= 12 and not core.isdigit() and _digits(core) <= 1:
        # letters only: a phrase of words, not a draw from an alphabet that has digits in it
        if len({m.group() for m in _PHRASE_WORDS.finditer(low)}) >= 2:
            return True
        if n >= 16 and _camel_phrase(core):
            return True
    return False


def _camel_phrase(core: str) -> bool:
    """`PasteTheAccessTokenIn`: capitalised words cover the body, each with a vowel, and vowels make
    up a word-like share (random mixed-case letters pass this about once in 10^4-10^5 draws)."""
    words = _CAMEL_WORD.findall(core)
    if len(words) < 3:
        return False
    total = sum(map(len, words))
    if total < 0.9 * len(core):
        return False
    vowels = [sum(ch in "aeiouy" for ch in w.lower()) for w in words]
    return all(vowels) and sum(vowels) >= 0.3 * total


def _jwt_claims_ok(value: str) -> bool:
    """A token whose header is damaged (a hand-edited sample, a copy/paste slip) is still a JWT when
    its second part decodes to a JSON object of claims."""
    parts = value.split(".")
    if len(parts) < 3 or len(parts[1]) < 8 or not _header_shaped(parts[0]):
        return False
    seg = parts[1]
    try:
        obj = json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        return False
    return isinstance(obj, dict) and bool(obj)


def _header_shaped(seg: str) -> bool:
    """A damaged header still reads as a JSON object: `{"` ... `}` and mostly printable text (`{"alg":'z",...}`
    with a slip in it); random bytes (`{"am\xab\x1d...}`) or a cut-off object (`{"alg":"HS256"`) are not one."""
    try:
        raw = base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)).rstrip()
    except ValueError:
        return False
    printable = sum(32 <= b < 127 for b in raw)
    return raw.startswith(b'{"') and raw.endswith(b"}") and printable >= 0.8 * len(raw)


def _rule_accepts(rule: Rule, value: str) -> bool:
    if rule.check == "none":
        return True
    if rule.check == "jwt":
        return jwt_ok(value) or _jwt_claims_ok(value)
    if rule.check == "bech32":
        return pii.bech32_ok(value)
    if rule.check == "jwt_b64":
        try:
            inner = base64.b64decode(value[: len(value) // 4 * 4] or "", validate=False)[:600].decode("ascii")
        except (ValueError, UnicodeDecodeError):
            return False
        return inner.startswith("eyJ") and "." in inner and jwt_ok(inner)
    body = value[rule.prefix_len :]
    if rule.check == "mask":
        return not has_mask(body)
    if is_placeholder(body):
        return False
    if rule.check == "placeholder":
        return True
    # generated tokens: at least ~3 bits/char over the random part (short bodies get a lower bar)
    need = 3.0 if len(body) >= 20 else 2.5
    if shannon(body) < need or _filler_body(body):
        return False
    if rule.check == "mixed":
        # prefixes that are also ordinary words (`test_`, `sandbox_`): a generated body mixes digits
        # and letters, a camelCase name (`test_ParseTimestampWithOffsetValue`) has few or no digits
        digits = _digits(body)
        return digits >= 2 and len(body) - digits >= 2
    return True


# text[pos:pos + 4] at a trigger start -> the rules to try there, in the order of the plain loop
# (for length in TRIGGER_LENGTHS: TRIGGERS[text[pos:pos + length]]); filled as triggers are seen
_AT: dict[str, tuple[tuple[Callable[[str, int], re.Match[str] | None], Rule], ...]] = {}
_AT_MAX = 4096  # distinct 4-character windows kept (a bound for adversarial input)
_LONG = 1024  # from this length an implied gate is not tested (see rules._gate_implied)


def _rules_at(window: str) -> tuple[tuple[Callable[[str, int], re.Match[str] | None], Rule], ...]:
    if len(_AT) >= _AT_MAX:
        _AT.clear()
    got = _AT[window] = tuple(
        (lazy.compiled().match, rule)
        for length in TRIGGER_LENGTHS
        for lazy, rule in TRIGGERS.get(window[:length], ())
    )
    return got


def _anchor_matches(anchors: tuple[re.Pattern[str], ...], text: str) -> Iterable[re.Match[str]]:
    if len(anchors) == 1:
        return anchors[0].finditer(text)
    return sorted((m for rx in anchors for m in rx.finditer(text)), key=_START)


def _prefix_spans(text: str) -> list[Span]:
    out: list[Span] = []
    at = _AT
    starts = [m.end() for m in TRIGGER_RE.finditer(text)]
    if TRIGGER_AT_START.match(text):
        starts.insert(0, 0)
    for pos in starts:
        window = text[pos : pos + 4]
        cands = at.get(window)
        if cands is None:
            cands = _rules_at(window)
        for match, rule in cands:
            mm = match(text, pos)
            if mm and _rule_accepts(rule, mm.group()):
                out.append((pos, mm.end(), rule.kind))
                break
    long_text = len(text) > _LONG
    for gate, implied, anchors, full_rx, rule in GATED:
        if not (implied and long_text) and gate not in text:
            continue
        for m in _anchor_matches(anchors, text):
            fm = full_rx.search(text, max(0, m.start() - rule.back), m.end())
            if fm is None or fm.end() != m.end() or not _rule_accepts(rule, fm.group()):
                continue
            start = fm.start()
            if not rule.anchored:
                while start > 0 and text[start - 1] in _TOKEN_CHARS:
                    start -= 1
            out.append((start, fm.end(), rule.kind))
    return out


def find_spans(text: str) -> list[Span]:
    """All sensitive spans of `text`, sorted, non-overlapping."""
    if not text:
        return []
    cands: list[Span] = []
    if "PRIVATE KEY" in text:
        for m in PRIVATE_KEY_RE.finditer(text):
            body = m.group(2)
            stripped = body.strip()
            # a real key body is long base64; `...`, `<your key>` and short stubs in docs are not keys
            if len("".join(stripped.split())) >= 32 and not is_placeholder(stripped):
                body_start = m.start(2) + (len(body) - len(body.lstrip()))
                cands.append((body_start, body_start + len(stripped), "PRIVATE_KEY"))
    cands.extend(_prefix_spans(text))
    lower = text.lower()
    if len(lower) != len(text):
        # a few characters lower-case to two (`İ`): keep those as they are so that offsets in `lower`
        # are offsets in `text` (the keyword scanners rely on it)
        lower = "".join(ch if len(low := ch.lower()) != 1 else low for ch in text)
    cands.extend(context.assignment_spans(text, lower))
    cands.extend(context.other_spans(text, lower))
    cands.extend(context.vendor_spans(text, lower))
    if "@" in text:
        cands.extend(pii.email_spans(text))
    if "\\" in text:
        text = _unglue_escaped_breaks(text)
    if not text.isascii() and _TYPESET_SEPARATOR.search(text):
        # typeset numbers group their digits with no-break or thin spaces and Unicode dashes
        # (`+33\u202f1\u202f23\u202f45\u202f67\u202f89`, `0917\u2013123\u20134567`); the number readers know a
        # blank and `-`, one character for one, so offsets hold
        text = text.translate(_NUMBER_SEPARATORS)
    view = pii.text_view(text)
    ipv4, numbers = pii.digit_led(text, view)
    cands.extend(pii.network_spans(text, ipv4))
    cands.extend(pii.number_spans(text, numbers))
    cands.extend(pii.iban_spans(text, view))
    cands.extend(pii.wallet_spans(text, view))
    if len(cands) <= 1:
        return cands
    return _resolve(cands)


_NUMBER_SEPARATORS = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
    }
)


# the same characters, found first: translate is slow (~40 ns/char) and most non-ASCII text holds none
_TYPESET_SEPARATOR = re.compile("[" + "".join(map(chr, _NUMBER_SEPARATORS)) + "]")


def _unglue_escaped_breaks(text: str) -> str:
    """The text with JSON's escaped breaks (`\\n`, `\\t`, `\\r`) as a backslash and a control character:
    same length, so offsets hold. In a JSON-encoded log a number opens a line as `\\n+44 20 ...`,
    `\\n10.0.0.7`; the personal-data scanners want no word character before a number, and the `n` is one.
    (Not a blank: a blank before `::` would make it the unspecified address, as in `"\\t::"` it is not.)"""
    return text.replace("\\n", "\\\x01").replace("\\t", "\\\x01").replace("\\r", "\\\x01")


SEP = "\n\x00\n"  # no detector matches across NUL or a newline-delimited NUL line


def find_spans_many(texts: list[str]) -> list[list[Span]]:
    """find_spans for many small documents in one pass over their concatenation.

    Each family's scan then runs once per batch instead of once per document (the fixed cost of
    ~15 regex and substring scans dominates for log lines of ~100 bytes). A document that itself
    contains NUL, or any span that would cross a boundary, falls back to the per-document scan.
    Documents with non-ASCII letters or digits are joined apart from the rest, so that many of them
    (CJK lines) do not take the whole batch off the ASCII fast paths (`pii.text_view`).
    """
    out: list[list[Span]] = [[] for _ in texts]
    plain: list[int] = []
    wide: list[int] = []
    for i, t in enumerate(texts):
        if not t:
            continue
        if "\x00" in t:
            out[i] = find_spans(t)
        elif t.isascii() or pii.ascii_view(t) is not None:
            plain.append(i)
        else:
            wide.append(i)
    for batch in (plain, wide):
        if batch:
            _scan_joined(texts, batch, out)
    return out


def _scan_joined(texts: list[str], batch: list[int], out: list[list[Span]]) -> None:
    starts: list[int] = []
    pos = 0
    for i in batch:
        starts.append(pos)
        pos += len(texts[i]) + len(SEP)
    doc = SEP.join([texts[i] for i in batch])
    redo: set[int] = set()
    k, nxt = 0, starts[1] if len(starts) > 1 else len(doc) + 1
    for s, e, kind in find_spans(doc):  # sorted: walk the documents along with the spans
        if s >= nxt:
            k = bisect.bisect_right(starts, s) - 1
            nxt = starts[k + 1] if k + 1 < len(starts) else len(doc) + 1
        i = batch[k]
        base = starts[k]
        if e > base + len(texts[i]):
            redo.add(i)  # crosses a boundary: never trust it, rescan that document alone
            continue
        out[i].append((s - base, e - base, kind))
    for i in redo:
        out[i] = find_spans(texts[i])


def _resolve(cands: list[Span]) -> list[Span]:
    """Overlapping candidates are merged into their union (never leave a piece of a secret behind);
    the merged span takes the kind of its longest member (ties: private key first, then earliest found)."""
    # by start, longer first, found order among equals: two stable C-level sorts instead of a Python key
    # (a key function per candidate costs more from a few dozen candidates on: batches, long prompts)
    cands.sort(key=_END, reverse=True)
    cands.sort(key=_BEGIN)
    out: list[Span] = []
    cur_s, cur_e, cur_k = cands[0]
    best = (cur_e - cur_s, -_PRIORITY.get(cur_k, 1))
    for s, e, k in cands[1:]:
        if e <= s:
            continue
        if s < cur_e:
            score = (e - s, -_PRIORITY.get(k, 1))
            if score > best:
                best, cur_k = score, k
            cur_e = max(cur_e, e)
            continue
        out.append((cur_s, cur_e, cur_k))
        cur_s, cur_e, cur_k = s, e, k
        best = (e - s, -_PRIORITY.get(k, 1))
    out.append((cur_s, cur_e, cur_k))
    return out
