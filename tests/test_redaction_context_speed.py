"""The context detectors' fast paths must decide exactly as the plain definitions they replace.

Each shortcut in validators.py / context.py is checked against a straightforward reference written
here (the code as it was before the shortcut) on generated inputs: random strings over small alphabets
that hit the shapes in question (separators, case runs, ascending runs, non-ASCII), so a shortcut that
changes one answer shows up as a difference.
"""

from __future__ import annotations

import bisect
import math
import operator
import random
import re

from aiops_mcp.server.gateway.redaction import context
from aiops_mcp.server.gateway.redaction import validators as v
from aiops_mcp.server.gateway.redaction.keys import VENDORS, classify
from aiops_mcp.server.gateway.redaction.rules import trie_regex

# --- references: the plain definitions -------------------------------------------------------

# The word test as first written; its nested repeat backtracks exponentially on long lower-case runs,
# so it is compared by brute force on short strings only, and _ref_wordlike spells it out in Python.
_REF_WORDLIKE = re.compile(r"^(?:[a-z]+|[A-Z]+|(?:[A-Z]?[a-z]{2,})+|\d+|[a-z]{1,3}\d{1,2})$")
_LOW, _UP, _DIG = set("abcdefghijklmnopqrstuvwxyz"), set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), set("0123456789")


def _ref_word(p: str) -> bool:
    if not p:
        return False
    if set(p) <= _LOW or set(p) <= _UP or set(p) <= _DIG:
        return True
    letters = p.rstrip("0123456789")
    if 1 <= len(letters) <= 3 and set(letters) <= _LOW and 1 <= len(p) - len(letters) <= 2:
        return True
    # capitalised words run together: an optional capital, then runs of >= 2 lower-case letters each
    # started by one capital (`Abc`, `abcDef`, `AbcDefGhi`)
    chunks, cur = [], ""
    for c in p:
        if c in _UP:
            chunks.append(cur)
            cur = c
        else:
            cur += c
    chunks.append(cur)
    head, rest = chunks[0], chunks[1:]
    if head and not (len(head) >= 2 and set(head) <= _LOW):
        return False
    if not head and not rest:
        return False
    return all(len(c) >= 3 and set(c[1:]) <= _LOW for c in rest)


def _ref_wordlike(p: str) -> bool:
    # `$` also matches before a final newline
    return _ref_word(p) or (p.endswith("\n") and _ref_word(p[:-1]))


def _ref_is_structured_id(value: str) -> bool:
    parts = [p for p in v._SEGMENT_SPLIT.split(value) if p]
    return bool(parts) and all(_ref_wordlike(p) and len(p) <= 24 and v._pronounceable(p) for p in parts)


def _ref_is_sequential(value: str) -> bool:
    if len(value) < 8:
        return False
    codes = value.encode("utf-8", "replace")
    steps = sum(map((1).__eq__, map(operator.sub, codes[1:], codes)))
    return steps >= (len(codes) - 1) * 0.5


def _ref_char_classes(value: str) -> int:
    chars = set(value)
    return (
        (not chars.isdisjoint(v._LOWER))
        + (not chars.isdisjoint(v._UPPER))
        + (not chars.isdisjoint(v._DIGITS))
        + (not chars <= v._PLAIN)
    )


def _ref_looks_random(value: str, *, min_len: int = 8, min_entropy: float = 2.8) -> bool:
    if len(value) < min_len or " " in value.strip():
        return False
    h = v.shannon(value)
    if h < min_entropy or ((len(value) < 16 or h < 3.4) and _ref_char_classes(value) < 2):
        return False
    return not (v.is_placeholder(value) or _ref_is_structured_id(value) or _ref_is_sequential(value))


# --- generated inputs ------------------------------------------------------------------------

_ALPHABETS = [
    "abcdefghij",
    "abcXYZ019",
    "aB1",
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "abcDEF012:/._-@ ,|",
    "ab:.-_ Cd12\n",
    "abcdefgh0123456789ABCDEFGH+/=",
    "aé\u4e00\U0001f600z\ud800",  # non-ASCII, astral and a lone surrogate
    "\x7f\x80\xfe\xffabc",
    "xX*$#{}%",
]


def _strings(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        alphabet = rnd.choice(_ALPHABETS)
        k = rnd.choice([0, 1, 3, 7, 8, 9, 15, 16, 17, 24, 25, 40, 64, 100])
        s = "".join(rnd.choice(alphabet) for _ in range(k))
        if rnd.random() < 0.2:  # ascending runs (sequential fakes) and long single-case runs
            start = rnd.randrange(0, 100)
            s += "".join(chr(48 + (start + i) % 78) for i in range(rnd.randint(4, 30)))
        if rnd.random() < 0.1:
            s = rnd.choice(["user:", "v1.", "Abc", "my_"]) + s
        out.append(s)
    return out


# --- validators ------------------------------------------------------------------------------


def test_structured_id_equals_the_per_part_definition() -> None:
    values = [
        *_strings(20000, 1),
        "user:1234:profile",
        "not_long_enough",
        "v1.2.3",
        "CamelCaseName",
        "camelCase",
        "ABc",
        "Abc\n",
        "abc\n.def",
        "...",
        "",
        "ab12",
        "abc123",
        "x64-s3-ec2",
        "zatmbxrvjbdxofhw",
        "aB3xK9pQ",
    ]
    for s in values:
        assert v.is_structured_id(s) == _ref_is_structured_id(s), repr(s)


def test_wordlike_regex_equals_the_nested_repeat_form() -> None:
    rnd = random.Random(2)
    for _ in range(20000):
        s = "".join(rnd.choice("aBz1\n") for _ in range(rnd.randint(0, 14)))
        expect = bool(_REF_WORDLIKE.match(s))
        assert bool(v._WORDLIKE.match(s)) == expect, repr(s)
        assert _ref_wordlike(s) == expect, repr(s)  # the Python spelling used for longer strings


def test_words_shape_rejects_generated_tokens() -> None:
    # the point of the one-match shape test: generated tokens leave without the per-part loop
    for token in ("aB3xK9pQ", "ghp_A1b2C3d4E5f6", "Zx81Kq", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG"):
        assert v._WORDS_SHAPE.fullmatch(token) is None, token
    for words in ("user:1234:profile", "CamelCase.v12", "not_long_enough", "ab12-XYZ"):
        assert v._WORDS_SHAPE.fullmatch(words) is not None, words


def test_wordlike_regex_does_not_backtrack_exponentially() -> None:
    # the nested-repeat form needed seconds for this (2**n ways to split the run); a wrong answer or a
    # hang fails, no timing is asserted
    value = "a" * 200 + "B"
    assert not v.is_structured_id(value)
    assert v._WORDLIKE.match(value) is None


def test_sequential_equals_the_per_byte_definition() -> None:
    values = [*_strings(20000, 3), "abcdefgh", "01234567", "abcdefgh0123456789", "éêëìíîïð", "\x7f\x80" * 8]
    for s in values:
        assert v.is_sequential(s) == _ref_is_sequential(s), repr(s)


def test_sequential_shift_table_matches_the_per_byte_steps_on_utf8() -> None:
    # the +1 table wraps 0xFF, which UTF-8 never produces: check both facts on raw bytes
    rnd = random.Random(4)
    for _ in range(5000):
        codes = bytes(rnd.choice([0, 1, 2, 126, 127, 128, 254, 97, 98]) for _ in range(rnd.randint(8, 40)))
        n = len(codes)
        xor = int.from_bytes(codes[1:], "big") ^ int.from_bytes(codes[:-1].translate(v._PLUS_ONE), "big")
        fast = xor.to_bytes(n - 1, "big").count(0)
        assert fast == sum(map((1).__eq__, map(operator.sub, codes[1:], codes))), codes
    assert all(b"\xff" not in chr(c).encode("utf-8", "replace") for c in range(0x110000))


def test_sequential_threshold_is_exact() -> None:
    # ascending runs mixed with noise in every proportion around the one-half threshold
    rnd = random.Random(9)
    for _ in range(20000):
        out = []
        for _ in range(rnd.randint(1, 6)):
            if rnd.random() < 0.5:
                start = rnd.randrange(33, 120)
                out.append("".join(chr(start + i) for i in range(rnd.randint(1, 8))))
            else:
                out.append("".join(rnd.choice("zq!~0") for _ in range(rnd.randint(1, 6))))
        s = "".join(out)
        assert v.is_sequential(s) == _ref_is_sequential(s), repr(s)


def test_run_of_eight_equals_the_regex() -> None:
    rnd = random.Random(15)
    values = [*_strings(10000, 16), "a" * 600, "ab" * 300 + "c" * 8, "\n" * 9, "x\n\n\n\n\n\n\n\n\ny"]
    for _ in range(20000):
        values.append("".join(rnd.choice("ab\n") for _ in range(rnd.randint(0, 30))))
    for s in values:
        assert v._has_run8(s) == (v._RUN8.search(s) is not None), repr(s)


def test_char_classes_from_counts_equal_the_set_form() -> None:
    for s in _strings(5000, 5):
        assert v.char_classes(s) == _ref_char_classes(s), repr(s)
        assert v._classes(v._shannon_counts(s)[1].keys()) == v.char_classes(s[:4096]), repr(s)


def test_shannon_is_unchanged() -> None:
    for s in [*_strings(5000, 6), "a" * 5000 + "bc", ""]:
        n = min(len(s), 4096)
        t = s[:4096]
        expect = (
            0.0 if not n else math.log2(n) - sum(c * math.log2(c) for c in map(t.count, dict.fromkeys(t))) / n
        )
        assert abs(v.shannon(s) - expect) < 1e-9, repr(s)
        assert v.shannon(s) == v._shannon_counts(s)[0]


def test_looks_random_equals_the_plain_definition() -> None:
    rnd = random.Random(8)
    # past 4096 characters the entropy counts stop but the character classes do not
    long_lower = "".join(rnd.choice("abcdefgh") for _ in range(4096))
    values = [*_strings(20000, 7), "a" * 4097 + "B1", "A" * 5000, "Ab1" * 2000, long_lower + "12", long_lower]
    for s in values:
        for min_len, min_entropy in ((8, 2.8), (16, 3.2), (20, 3.5), (16, 3.0)):
            expect = _ref_looks_random(s, min_len=min_len, min_entropy=min_entropy)
            assert v.looks_random(s, min_len=min_len, min_entropy=min_entropy) == expect, repr(s)
            if not v.is_placeholder(s):
                assert v.generated_shape(s, min_len=min_len, min_entropy=min_entropy) == expect, repr(s)


# --- context scanners ------------------------------------------------------------------------

_NAMES = [
    "password", "db_password", "API_KEY", "apiKey", "secret", "client_secret", "token", "authToken", "x-api-key",
    "X-Auth-Token", "key", "cache_key", "passwd", "pwd", "session_id", "cookie", "dsn", "jwt", "pw", "credentials",
    "signature", "sig", "bearer", "Authorization", "contraseña", "token_type", "max_tokens", "keyword", "public_key",
    "secretName", "bot_token1", "passport", "keystore", "monkey", "privateKey", "aws_secret_access_key",
    "a_very_long_prefix_of_a_name_that_goes_on_and_on_past_eighty_characters_before_the_api_key",
]  # fmt: skip
# names longer than the scanner's reach (80 characters before the keyword): where the cut falls decides
# whether `public`/`cache` is still part of the name
_LONG_NAMES = [
    w + "_" * k + kw for w in ("public", "cache", "csrf") for k in range(72, 82) for kw in ("token", "key")
]
_OPS = [
    "=", ": ", ":", " = ", " => ", ":=", "==", " -> ", ", ", " value=", "+=", " ", '": "', "'='", '"="', "[]=",
]  # fmt: skip
_VALUES = [
    "changeme", "${SECRET}", "<redacted>", "xxxxxxxx", "hunter2", "required", "os.environ['X']", "self.token",
    "Bearer abcdefghijklmnopqrstuvwxyz012345", "bearer", "null", "{{ token }}", "fake_token_abc", "new_password",
    "config.secret_key", "Token{a64f992", "abc", "a" * 22, "This field is required.", "via the CLI",
    "android.os.BinderProxy@2bd79ce", "x.y(z)", "a[0]",
]  # fmt: skip
_PREFIXES = [
    "Authorization: Bearer ", "bearer ", "curl -u ", "https://user:", "mysql -p", "docker login -u x -p ",
    "machine h login u password ", "kind: Secret\ndata:\n  k: ", "data:\n  k: ", "kind: ConfigMap\ndata:\n  k: ",
    "<password>", "</password>",
]  # fmt: skip
_VENDOR_KEYS = [
    "github",
    "GitHub",
    "sourcegraph",
    "aws",
    "sonar",
    "sonarqube",
    "slack",
    "mysonar",
    "x_github",
]


def _token(rnd: random.Random) -> str:
    alphabet = rnd.choice(["abcdef0123456789", "abcXYZ0123456789+/=", "aB1_-.", "abcdefghijklmnopqrstuvwxyz"])
    return "".join(rnd.choice(alphabet) for _ in range(rnd.choice([4, 8, 12, 20, 24, 40, 64])))


def _value(rnd: random.Random) -> str:
    k = rnd.random()
    if k < 0.45:
        return _token(rnd)
    if k < 0.7:
        return rnd.choice(_VALUES)
    if k < 0.85:
        quote = rnd.choice("\"'`")
        return quote + _value(rnd) + (quote if rnd.random() < 0.9 else "")
    return "".join(rnd.choice("ab1 ;&,<>()[]{}$@%\"'\t\\é") for _ in range(rnd.randint(1, 12)))


def _piece(rnd: random.Random) -> str:
    k = rnd.random()
    if k < 0.45:
        name = rnd.choice(_NAMES) if rnd.random() < 0.9 else rnd.choice(_LONG_NAMES)
        if rnd.random() < 0.3:
            name = (
                rnd.choice(["my", "db.", "--", "-", "_", "x-", "the ", "?", "&", "<", '"', "'", "."]) + name
            )
        if rnd.random() < 0.2:
            name += rnd.choice(["1", "_2", ">", '"', "'", "]", "s", ".", "-"])
        return name + rnd.choice(_OPS) + _value(rnd)
    if k < 0.6:
        key = rnd.choice(_VENDOR_KEYS)
        return (
            rnd.choice(["", '"', " ", "\n"])
            + key
            + rnd.choice([": ", "=", '":"', " bot: ", "bot=", "\n: "])
            + _token(rnd)
        )
    if k < 0.75:
        return rnd.choice(_PREFIXES) + _value(rnd)
    if k < 0.85:
        return "".join(rnd.choice(["pass", "key", "token", "sig", "pw"]) for _ in range(rnd.randint(1, 4)))
    return "".join(rnd.choice("abXY01 \t\n.-_=:\"'") for _ in range(rnd.randint(1, 20)))


def _texts(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = [_piece(rnd) for _ in range(rnd.randint(1, 8))]
        texts.append(rnd.choice([" ", "\n", "; ", "&", ", ", "", "\t"]).join(parts))
    # batches as the engine joins them: per-document rules (Kubernetes data) must see the same documents
    batches = ["\n\x00\n".join(texts[i : i + rnd.randint(2, 6)]) for i in range(0, n, 5)]
    return texts + batches


def _lower(text: str) -> str:
    return (
        text.lower()
        if len(text.lower()) == len(text)
        else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    )


def _ref_assignment_spans(text: str, lower: str) -> list[tuple[int, int, str]]:
    """The keyword scan written plainly: every occurrence of every keyword found with str.find, visited in
    text order, one visit per run of name characters (the run is the name whichever keyword is in it);
    slice-and-reverse for the name's left end, classify per hit."""
    hits = set()
    for kw in context.KEYWORDS:
        i = lower.find(kw)
        while i >= 0:
            hits.add((i, i + len(kw)))
            i = lower.find(kw, i + 1)
    covered: list[tuple[int, int]] = []
    out = []
    done = 0  # end of the last run visited
    for i, kw_end in sorted(hits):
        if i < done:
            continue
        lo = max(0, i - 80)
        left = i - context._IDENT_RUN.match(text[lo:i][::-1]).end()
        right = context._IDENT_RUN.match(text, kw_end).end()
        done = right
        k = bisect.bisect_right(covered, (left, 1 << 62))
        if k > 0 and covered[k - 1][0] <= left and right < covered[k - 1][1]:
            continue
        raw = text[left:right]
        ident = raw.lstrip("-.").rstrip(".-")
        if not ident:
            continue
        sens = classify(ident)
        if sens is None:
            continue
        if (
            ident.lower().endswith(("signature", "sig"))
            and (left == 0 or text[left - 1] not in "?&")
            and not context._aws4_header(text, left)
        ):
            continue
        is_flag = raw.startswith("--") or (
            raw.startswith("-") and len(ident) > 1 and left > 0 and text[left - 1] == " "
        )
        span = context._value_after(text, ident, sens, left + len(raw.rstrip(".-")), left, is_flag)
        if span is not None:
            bisect.insort(covered, (span[0], span[1]))
            out.append(span)
    return out


def _ref_vendor_spans(text: str) -> list[tuple[int, int, str]]:
    """Every `name: value` candidate through the word extraction, no service-name gate."""
    out = []
    for m in context._VENDOR_VALUE.finditer(text):
        lo = max(0, m.start() - 24)
        w = context._WORD_BEFORE.search(text, lo, m.start())
        if w is None or w.group(1).lower() not in VENDORS:
            continue
        if w.start() > 0 and text[w.start() - 1] in "_.-":
            continue
        val = m.group("v").rstrip(".")
        if v.looks_random(val, min_len=20, min_entropy=3.5):
            out.append((m.start("v"), m.start("v") + len(val), "API_KEY"))
    return out


def _ref_k8s_spans(text: str, lower: str) -> list[tuple[int, int, str]]:
    """Kubernetes Secret data with every batch document split out and scanned on its own."""
    out = []
    offset = 0
    for doc in text.split("\x00"):
        for s, e, k in context._k8s_secret_spans(doc, _lower(doc)):
            out.append((s + offset, e + offset, k))
        offset += len(doc) + 1
    return out


def test_assignment_scan_equals_the_slice_and_reverse_scan() -> None:
    found = 0
    for text in _texts(3000, 11):
        lower = _lower(text)
        expect = _ref_assignment_spans(text, lower)
        assert list(context.assignment_spans(text, lower)) == expect, text
        found += len(expect)
    assert found > 500  # the generator does reach the value checks


def test_vendor_gate_never_drops_a_vendor_key() -> None:
    found = 0
    for text in _texts(3000, 12):
        expect = _ref_vendor_spans(text)
        assert list(context.vendor_spans(text, _lower(text))) == expect, text
        found += len(expect)
    assert found > 50


# the vendor gate read forwards, as a search over the window before the operator
_VENDOR_BEFORE = re.compile("(?:" + trie_regex(VENDORS) + r")[\"']?[ \t]*(?:bot[ \t]*)?$")


def test_reversed_vendor_gate_equals_the_forward_search() -> None:
    rnd = random.Random(17)
    names = sorted(VENDORS)
    pieces = ["", " ", "\t", "\n", '"', "'", "bot", " bot ", "x", "_", "robot", "sonarqube", "aws", "é"]
    hits = 0
    for _ in range(20000):
        before = "".join(rnd.choice([*pieces, rnd.choice(names)]) for _ in range(rnd.randint(0, 6)))
        lower = _lower(
            before + rnd.choice(names) * rnd.randint(0, 1) + "".join(rnd.choices(pieces, k=2)) + ":x"
        )
        end = len(lower) - 2
        lo = max(0, end - rnd.choice([24, 24, 5, 0]))
        expect = _VENDOR_BEFORE.search(lower, lo, end) is not None
        n = len(lower)
        assert (context._VENDOR_BEFORE_REV.match(lower[::-1], n - end, n - lo) is not None) == expect, (
            lower,
            lo,
        )
        hits += expect
    assert 2000 < hits < 18000


def test_kubernetes_data_per_document_equals_the_split_form() -> None:
    found = 0
    for text in _texts(3000, 13):
        lower = _lower(text)
        expect = _ref_k8s_spans(text, lower)
        got = [s for s in context.other_spans(text, lower) if s[2] == "SECRET"]
        assert got == expect, text
        found += len(expect)
    assert found > 5  # `kind: Secret` must be a whole line: fewer random texts form one


def test_object_reference_prefilter_only_skips_non_matches() -> None:
    rnd = random.Random(14)
    values = ["".join(rnd.choice("ab.Z_{(9[@") for _ in range(rnd.randint(0, 12))) for _ in range(20000)]
    values += ["android.os.BinderProxy@2bd79ce", "Token{a64f992", "com.example.Foo", "a.b", "x(", "ab.cd.Ef"]
    for s in values:
        assert context._object_ref(s) == (context._OBJECT_REF.match(s) is not None), s
