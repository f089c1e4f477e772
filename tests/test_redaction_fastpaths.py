"""The engine's fast paths must find exactly what the plain patterns they replace would find.

Each speed-up (literal-led scans, byte-class maps, one scan for two families, cheap pre-rejection)
is checked against the straightforward definition on generated text: random mixes of digits,
separators, addresses, tokens and names, so a shortcut that drops a case shows up as a difference.
"""

from __future__ import annotations

import hashlib
import random
import re
import string

from aiops_mcp.server.gateway.redaction import context, engine, pii, rules
from aiops_mcp.server.gateway.redaction.validators import base58check_ok

_PIECES = [
    "10.0.0.1", "192.168.1.254", "1.2.3.4.5", "v1.2.3.4", "~6.1.1.0", "300.1.1.1", "12.34.5678", "555.123.4567",
    "(555) 123-4567", "+63 917 123 4567", "0917-123-4567", "4111 1111 1111 1111", "123-45-6789", "02-12345678",
    "2016-09-29 00:01:46", "081109 203615 148", "1117838570", "blk_-1608999687919862906", "fe80::1",
    "aa:bb:cc:dd:ee:ff", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "stripe", "sourcegraph", "token", "key", "aws", "sk-", "ghp_", "AKIA", "xoxb-", "TIN", "SSN", "=", ":", ": ",
    "-", " ", ".", ",", "/", "(", ")", "+", "_", "é", "\n", "'", '"',
    # non-ASCII: punctuation and symbols (the ASCII view still applies) and word characters (it does not)
    "\u2014", "\u2022", "\u20ac", "\u00a0", "\U0001f600", "\u0663\u0664\u0665", "\u00b2", "\u017f", "\u0131",
]  # fmt: skip
_ALPHABET = string.ascii_letters + string.digits + "=-_+/.: "


def _corpus(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 8)):
            if rnd.random() < 0.7:
                parts.append(rnd.choice(_PIECES))
            else:
                parts.append("".join(rnd.choice(_ALPHABET) for _ in range(rnd.choice([3, 12, 25, 40]))))
        out.append("".join(parts))
    return out


CORPUS = _corpus(4000, 7)
# several texts as the lines of one: lines with non-ASCII letters next to lines without (`wide` views)
LINES = ["\n".join(CORPUS[k : k + 6]) for k in range(0, 3000, 6)]


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_corpus_exercises_both_the_ascii_view_and_the_unicode_patterns() -> None:
    views = [pii.ascii_view(t) for t in CORPUS]
    assert sum(v is None for v in views) >= 500
    assert sum(v is not None and not t.isascii() for t, v in zip(CORPUS, views, strict=True)) >= 500


def test_text_view_marks_exactly_the_lines_with_non_ascii_letters_or_digits() -> None:
    wide_views = 0
    for text in [*CORPUS, *LINES, "\u00e9" * 5000, "x\n" * 3000 + "\u00e9"]:
        view = pii.text_view(text)
        if view is None:  # too many such lines to split: the Unicode patterns run over the whole text
            assert pii.ascii_view(text) is None
            continue
        assert view.data == "".join(ch if ch.isascii() else "?" for ch in text).encode("ascii")
        lines, pos = [], 0
        for line in text.split("\n"):
            if re.search(r"[^\W\x00-\x7f]", line):
                lines.append((pos, pos + len(line)))
            pos += len(line) + 1
        assert list(view.wide) == lines, text
        wide_views += bool(lines) and len(lines) < text.count("\n") + 1
    assert wide_views >= 100  # texts with both kinds of line


def test_ascii_view_only_when_every_word_character_is_ascii() -> None:
    for text in [*CORPUS, "", "\ud800 lone surrogate 1", "a\u00e9", "x\u2014y", "\U0001d7d8"]:
        view = pii.ascii_view(text)
        if re.search(r"[^\W\x00-\x7f]", text):
            assert view is None, text
        else:
            assert view == "".join(ch if ch.isascii() else "?" for ch in text).encode("ascii"), text


def test_digit_led_scan_equals_the_two_patterns() -> None:
    for text in [*CORPUS, *LINES]:
        want_ips, want_nums = _spans(pii._IPV4.finditer(text)), _spans(pii._NUMBER.finditer(text))
        for view in (None, pii.text_view(text)):  # the Unicode form, then the view's forms
            ips, nums = pii.digit_led(text, view)
            assert _spans(ips) == want_ips, text
            assert _spans(nums) == want_nums, text


def test_vendor_value_scans_equal_one_character_class_scan() -> None:
    rnd = random.Random(3)
    texts = CORPUS + [
        "".join(
            rnd.choice(["aws", "stripe: ", "x=", "=", ":", "k="]) + "A1b2" * rnd.randint(1, 140)
            for _ in range(3)
        )
        for _ in range(300)
    ]
    for text in texts:
        assert _spans(context._vendor_values(text)) == _spans(context._VENDOR_VALUE.finditer(text)), text


def _btc_reference(text: str) -> list[tuple[int, int, str]]:
    return [
        (m.start(), m.end(), "CRYPTO_WALLET")
        for m in pii._BTC.finditer(text)
        if (m.start() == 0 or not text[m.start() - 1].isalnum()) and base58check_ok(m.group())
    ]


def _b58(raw: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n, s = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        s = alphabet[r] + s
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + s


def test_ascii_fast_paths_for_wallets_and_ibans_equal_the_regexes() -> None:
    rnd = random.Random(5)
    texts = list(CORPUS)
    for _ in range(500):
        payload = bytes([rnd.choice([0, 5])]) + rnd.randbytes(20)
        addr = _b58(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])
        texts.append(rnd.choice(["", "x", "_", " ", "("]) + addr + rnd.choice(["", "_", "x", " ", "."]))
    # the same next to lines with non-ASCII letters (a `wide` view: Unicode patterns on those lines only)
    texts += [
        rnd.choice(CORPUS) + "\n" + t + "\n" + rnd.choice(["\u00e9", "x"]) + t + "\u0663"
        for t in texts[-500:]
    ]
    texts += LINES
    # IBAN-shaped with non-ASCII check digits: `\d` takes them in Unicode mode only
    texts += [
        "x\nGB\u0668\u0662WEST12345698765432\n",
        "GB82WEST12345698765432\nDE\u0668\u0669370400440532013000",
    ]
    found = 0
    for text in texts:
        got = list(pii.wallet_spans(text))
        assert got == _btc_reference(text), text
        found += bool(got)
        assert _spans(pii._iban_matches(text)) == _spans(pii._IBAN.finditer(text)), text
    assert found >= 400  # the generated addresses are real ones: the comparison is not vacuous


def test_id_name_prefilter_equals_the_regex() -> None:
    rnd = random.Random(13)
    names = ["TIN", "tin", "Tax Identification", "taxpayer", "SSS", "social security system", "PhilHealth",
             "phic", "Pag-IBIG", "pagibig", "HDMF", "ssn", "Social Security", "\u017f\u017fn", "t\u0131n",
             "T\u0130N", "s\u017fs", "tinker", "tax", "social", "pag ibig", "setting", "sssx", "tin_", "_ssn",
             "1phic", "HDMF2", "tin-", "(ssn)", "TAXPAYER", "pag-ibig", "social securit", "ITIN", "itin:",
             "bitin", "itins"]  # fmt: skip
    fillers = [" ", "no. ", ": ", "x", "_", "1", "-", "\n", "\u00e9", "", ""]
    for _ in range(20000):
        before = "".join(
            rnd.choice(names if rnd.random() < 0.4 else fillers) for _ in range(rnd.randint(0, 6))
        )
        got, want = pii._id_context(before), pii._ID_CONTEXT.search(before)
        assert (got and (got.span(), got.lastgroup)) == (want and (want.span(), want.lastgroup)), before


def test_number_prefilter_never_rejects_a_classifiable_number() -> None:
    rnd = random.Random(11)
    for _ in range(20000):
        groups = [
            "".join(rnd.choice(string.digits) for _ in range(rnd.randint(1, 7)))
            for _ in range(rnd.randint(1, 5))
        ]
        raw = groups[0]
        for g in groups[1:]:
            raw += rnd.choice(" -") + g
        before = rnd.choice(["", "TIN ", "SSS no. ", "philhealth: ", "pag-ibig ", "SSN "])
        if pii._classify_number(raw, before) is not None:
            assert pii._may_classify(raw), raw


def _dotted_end_ok(text: str, e: int) -> bool:
    """A clause colon may follow a dotted number; `:digits` (a port, a time), `.`, `-`, `/` may not."""
    if e >= len(text):
        return True
    return text[e] not in ".-/:" or (text[e] == ":" and not text[e + 1 : e + 2].isdigit())


def test_dotted_tail_scan_equals_the_full_patterns() -> None:
    texts = [
        *CORPUS,
        "call 555.123.4567 or (555).123.4567",
        "ssn 123.45.6789.",
        "1.555.123.4567",
        "x555.123.4567",
    ]
    texts += ["for 555.123.4567: failed", "at 555.123.4567:8080", "ssn 123.45.6789:", "itin 912.70.1234"]
    texts += [
        "sms 0917.555.0100 ok",
        "x0917.555.0100",
        "0917.555.0100.1",
        "(0917.555.0100)",
        "0917.555.01234",
    ]
    for text in texts:
        want = []
        for m in pii._DOTTED_PH_MOBILE.finditer(text):
            s, e = m.span()
            if (s == 0 or text[s - 1] not in ".-/:") and _dotted_end_ok(text, e):
                want.append((s, e, "PHONE"))

        for m in pii._DOTTED_PHONE.finditer(text):
            s, e = m.span()
            if (s == 0 or text[s - 1] not in ".-/:") and _dotted_end_ok(text, e):
                want.append((s, e, "PHONE"))
        for m in pii._DOTTED_SSN.finditer(text):
            s, e = m.span()
            bounded = (s == 0 or text[s - 1] not in ".-/:") and _dotted_end_ok(text, e)
            parts = m.group().split(".")
            if bounded and pii.ssn_ok(*parts):
                want.append((s, e, "SSN"))
            elif bounded and pii.itin_ok(*parts):
                want.append((s, e, "ITIN"))
        assert sorted(pii._dotted_spans(text)) == sorted(want), text


def test_trigger_scan_covers_the_look_behind_form() -> None:
    """Every trigger the look-behind form finds is found; the boundary scan may also find a trigger that
    starts inside another one after a non-token character (`sk.eyJ...`: MapBox prefix, then a JWT)."""
    plain = re.compile(rules._LEFT + rules._TRIE)
    rnd = random.Random(9)
    triggers = sorted(rules.TRIGGERS)
    texts = [
        *CORPUS,
        "sk.eyJhbGciOiJIUzI1NiJ9",
        *(
            "".join(rnd.choice([" ", "", "-", "/", "x", "."]) + rnd.choice(triggers) for _ in range(6))
            for _ in range(500)
        ),
    ]
    extra = 0
    for text in texts:
        starts = [m.end() for m in rules.TRIGGER_RE.finditer(text)]
        if rules.TRIGGER_AT_START.match(text):
            starts.insert(0, 0)
        want = [m.start() for m in plain.finditer(text)]
        assert set(want) <= set(starts), text
        for pos in set(starts) - set(want):
            extra += 1
            assert plain.match(text, pos), text  # a real trigger at a token start, hidden by the one before
    assert extra >= 1


def test_names_after_characters_that_lower_case_to_two_are_still_found() -> None:
    """`İ`.lower() is two characters: the keyword scan must not drift off the original offsets."""
    from aiops_mcp.server.gateway.redaction import redact_text

    out, found = redact_text("İİİİ user İstanbul password=Hunter2Secret! api_key: 'zq8RkV2mT9xW4pL7sN3b'")
    assert "Hunter2Secret!" not in out and "zq8RkV2mT9xW4pL7sN3b" not in out
    assert out.startswith("İİİİ user İstanbul password=<PASSWORD_1>")
    assert found == {"PASSWORD": 1, "API_KEY": 1}


def _prefix_reference(text: str) -> list[tuple[int, int, str]]:
    """The plain prefix scan: every trigger length at every trigger start, each gated anchor as written."""
    out = []
    starts = [m.end() for m in rules.TRIGGER_RE.finditer(text)]
    if rules.TRIGGER_AT_START.match(text):
        starts.insert(0, 0)
    for pos in starts:
        for length in rules.TRIGGER_LENGTHS:
            for rx, rule in rules.TRIGGERS.get(text[pos : pos + length], ()):
                mm = rx.match(text, pos)
                if mm and engine._rule_accepts(rule, mm.group()):
                    out.append((pos, mm.end(), rule.kind))
                    break
            else:
                continue
            break
    for gated in rules.GATED:
        rule, full_rx = gated.rule, gated.full
        if rule.gate not in text:  # the rule's own gate, tested always
            continue
        for m in re.finditer(rule.anchor or rule.pattern, text):
            fm = full_rx.search(text, max(0, m.start() - rule.back), m.end())
            if fm is None or fm.end() != m.end() or not engine._rule_accepts(rule, fm.group()):
                continue
            start = fm.start()
            if not rule.anchored:
                while start > 0 and text[start - 1] in engine._TOKEN_CHARS:
                    start -= 1
            out.append((start, fm.end(), rule.kind))
    return out


def _token_texts(n: int, seed: int) -> list[str]:
    """Trigger prefixes and gate characters followed by token bodies, at text starts and ends too."""
    rnd = random.Random(seed)
    triggers = sorted(rules.TRIGGERS)
    heads = [*triggers, "|", "%", ".", ":A", "Q~", "-us", "1234567890123456|", "123456789012345%"]
    body = string.ascii_letters + string.digits + "_-"
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 5)):
            parts.append(rnd.choice(["", " ", "=", "/", ".", "|", "%", "\n", "x"]))
            parts.append(rnd.choice(heads))
            parts.append("".join(rnd.choice(body) for _ in range(rnd.choice([0, 3, 20, 28, 36, 40, 64]))))
        out.append("".join(parts))
    return out


def test_prefix_scan_equals_the_plain_loop() -> None:
    short = _token_texts(3000, 17)
    long = ["\n".join(short[k : k + 40]) for k in range(0, 3000, 40)]  # past engine._LONG: implied gates
    # without a gate's own text, anchors not implied by it must not run (`%` anchors without `|`)
    long += ["\n".join(t for t in short[k : k + 80] if "|" not in t) for k in range(0, 3000, 80)]
    assert any(g.implied for g in rules.GATED) and all(len(t) > engine._LONG for t in long)
    texts = [*CORPUS, *short, *long, "ghp", "sk", "AKIA", "xoxb-1-" + "a" * 12]
    found = 0
    for text in texts:
        got = engine._prefix_spans(text)
        assert got == _prefix_reference(text), text
        found += bool(got)
    assert found >= 150  # real hits, not only empty lists


def test_literal_led_anchors_find_what_the_class_finds() -> None:
    assert any(len(g.anchors) > 1 for g in rules.GATED)  # the split is in use
    assert rules.literal_heads(r"[|%]x") == [r"\|x", "%x"]
    assert rules.literal_heads(r"[\w%]x") == [r"[\w%]x"] and rules.literal_heads(r"[a-z]x") == [r"[a-z]x"]
    texts = [*CORPUS, *_token_texts(2000, 19)]
    for gated in rules.GATED:
        anchors, rule = gated.anchors, gated.rule
        plain = re.compile(rule.anchor or rule.pattern)
        for text in texts:
            assert _spans(engine._anchor_matches(anchors, text)) == _spans(plain.finditer(text)), text


def _iban_reference(text: str) -> list[tuple[int, int, str]]:
    """Every `_IBAN` match cut at each length (the country's, else 34..15) by walking its characters."""
    out = []
    for m in pii._IBAN.finditer(text):
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue
        raw = m.group()
        want = pii.IBAN_LENGTHS.get(raw[:2])
        for target in [want] if want else range(34, 14, -1):
            count, end = 0, 0
            for j, ch in enumerate(raw):
                if ch != " ":
                    count += 1
                    if count == target:
                        end = j + 1
                        break
            if not end or (end < len(raw) and raw[end] != " "):
                continue
            compact = raw[:end].replace(" ", "")
            structure = pii._BBAN.get(compact[:2])
            if pii.iban_ok(compact) and (structure is None or re.fullmatch(structure, compact[4:])):
                out.append((m.start(), m.start() + end, "IBAN"))
                break
    return out


_BBAN_CLASSES = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}


def _bban(rnd: random.Random, country: str, length: int) -> str:
    """An account part in the country's registered structure (`4a6n8n` for GB), else digits and A-F;
    one in five ignores the structure (a mistyped IBAN that both cuts must reject alike)."""
    spec = pii._BBAN_SPEC.split()
    structure = dict(zip(spec[::2], spec[1::2], strict=True)).get(country)
    if structure is None or rnd.random() < 0.2:
        return "".join(rnd.choice(string.digits + string.ascii_uppercase[:6]) for _ in range(length - 4))
    return "".join(
        rnd.choice(_BBAN_CLASSES[cls])
        for n, cls in re.findall(r"(\d+)([nac])", structure)
        for _ in range(int(n))
    )


def _iban(rnd: random.Random, country: str, length: int) -> str:
    bban = _bban(rnd, country, length)
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def test_iban_cut_equals_the_character_walk() -> None:
    rnd = random.Random(23)
    texts = list(CORPUS)
    for _ in range(1500):
        country = rnd.choice(["GB", "DE", "FR", "NO", "MT", "QQ", "ZZ"])  # QQ/ZZ: no registered length
        length = pii.IBAN_LENGTHS.get(country) or rnd.randint(15, 34)
        iban = _iban(rnd, country, length)
        if rnd.random() < 0.5:
            iban = " ".join(iban[k : k + 4] for k in range(0, len(iban), 4))
        tail = rnd.choice(["", " 1234", "5", " AB", ".", "x"])
        texts.append(rnd.choice(["", "x", " ", "IBAN: "]) + iban + tail)
    found = 0
    for text in texts:
        got = list(pii.iban_spans(text))
        assert got == _iban_reference(text), text
        found += bool(got)
    assert found >= 800


def _resolve_reference(cands: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Union of overlapping candidates, kind of the longest (ties: private key, then found first)."""
    cands = sorted(cands, key=lambda c: (c[0], -c[1]))
    out = []
    cur_s, cur_e, cur_k = cands[0]
    best = (cur_e - cur_s, -engine._PRIORITY.get(cur_k, 1))
    for s, e, k in cands[1:]:
        if e <= s:
            continue
        if s < cur_e:
            score = (e - s, -engine._PRIORITY.get(k, 1))
            if score > best:
                best, cur_k = score, k
            cur_e = max(cur_e, e)
            continue
        out.append((cur_s, cur_e, cur_k))
        cur_s, cur_e, cur_k = s, e, k
        best = (e - s, -engine._PRIORITY.get(k, 1))
    out.append((cur_s, cur_e, cur_k))
    return out


def test_overlap_resolution_equals_the_key_sort_form() -> None:
    rnd = random.Random(29)
    kinds = ["EMAIL", "PRIVATE_KEY", "TOKEN", "PHONE", "API_KEY"]
    for _ in range(5000):
        cands = []
        for _ in range(rnd.randint(1, rnd.choice([12, 80]))):  # both sides of the two-sorts threshold
            s = rnd.randint(0, 40)
            cands.append((s, s + rnd.randint(0, 12), rnd.choice(kinds)))
        assert engine._resolve(list(cands)) == _resolve_reference(cands), cands
