"""Batch and per-line shortcuts of the JSONL filter must give what one vault per line gives.

The filter scans many lines as one joined document (split by kind of text), applies the spans
without building a vault per line, and encodes records itself; each is checked here against the
straightforward path on generated input, so a shortcut that changes one result fails.
"""

from __future__ import annotations

import io
import json
import random
import re
import string

from aiops_mcp.server.gateway.redaction import context
from aiops_mcp.server.gateway.redaction.cli import run_redact
from aiops_mcp.server.gateway.redaction.engine import find_spans, find_spans_many
from aiops_mcp.server.gateway.redaction.validators import IBAN_LENGTHS, iban_ok, is_placeholder
from aiops_mcp.server.gateway.redaction.vault import Vault, redact_once

_PIECES = [
    "ana@example.com", "ana@example.com", "10.0.0.1", "+63 917 123 4567", "4111 1111 1111 1111",
    "password=Hunter2Secret!", "token ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "AKIAIOSFODNN7EXAMPLE",
    "GB82 WEST 1234 5698 7654 32", "TIN 123-456-789", "<EMAIL_1>", "<EMAIL_2>", "<PHONE_1>", "<IP_ADDRESS_1>",
    "José", "\u0663\u0664\u0665", "\u2014", "\U0001f600", "\x00", "\n", " ", "x", "=", ":", "\"", "\\",
    "2016-09-28 04:30:30", "blk_-1608999687919862906", "api_key: 'zq8RkV2mT9xW4pL7sN3b'",
]  # fmt: skip


def _texts(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 7))) for _ in range(n)]


def test_batch_scan_equals_per_document_scan_on_mixed_texts() -> None:
    texts = _texts(3000, 1)
    assert sum(bool(find_spans(t)) for t in texts) > 1000  # mostly texts with findings
    for k in range(0, len(texts), 500):
        chunk = texts[k : k + 500]
        assert find_spans_many(chunk) == [find_spans(t) for t in chunk]


def test_redact_once_equals_a_fresh_vault() -> None:
    for text in _texts(3000, 2):
        spans = find_spans(text)
        assert redact_once(text, spans) == Vault().redact_found(text, spans), text
    # placeholders already in the text are skipped, repeated values share one
    text = "<EMAIL_1> a@example.com b@example.com a@example.com"
    assert redact_once(text, find_spans(text)) == "<EMAIL_1> <EMAIL_2> <EMAIL_3> <EMAIL_2>"


def test_jsonl_filter_equals_one_vault_per_line() -> None:
    rnd = random.Random(3)
    records = []
    for i, text in enumerate(_texts(2500, 4)):
        rid = rnd.choice([f"c{i}", i, None, 1.5, [i], {"k": i}, "é\u2014" + str(i), True])
        records.append({"id": rid, "text": text} if rnd.random() < 0.95 else {"id": rid, "text": i})
    records.append({"id": "no text"})
    inp = "".join(json.dumps(r, ensure_ascii=rnd.random() < 0.5) + "\n" for r in records)
    out = io.StringIO()
    run_redact(io.StringIO(inp), out, jsonl=True)
    got = [json.loads(line) for line in out.getvalue().splitlines()]
    want = []
    for r in records:
        t = r.get("text")
        t = t if isinstance(t, str) else ("" if t is None else str(t))
        want.append({"id": r["id"], "text": Vault().redact(t)})
    assert got == want


# --- faster forms of single checks, each against the plain form it replaced ------------------------


def _iban_ok_plain(compact: str) -> bool:
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    try:
        number = int("".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4]))
    except ValueError:
        return False
    return number % 97 == 1


def test_iban_ok_equals_the_per_character_form() -> None:
    rnd = random.Random(11)
    alnum = string.ascii_uppercase + string.digits
    samples = []
    for _ in range(20000):
        country = rnd.choice([*IBAN_LENGTHS, "ZZ", "de"])
        n = IBAN_LENGTHS.get(country, rnd.randint(15, 34))
        bban = "".join(rnd.choice(alnum) for _ in range(n - 4))
        # a right check number, then the same body with odd characters and case dropped in
        check = 98 - _to_digits(bban + country + "00") % 97
        samples.append(f"{country}{check:02d}{bban}")
        samples.append(f"{country}{check:02d}{bban.lower()}")
        noisy = list(bban)
        noisy[rnd.randrange(len(noisy))] = rnd.choice(
            ["_", " ", "+", "-", "\u0663", "\u00b2", "\u00e9", "\t"]
        )
        samples.append(f"{country}{check:02d}{''.join(noisy)}")
    assert sum(map(iban_ok, samples)) >= 20000  # the valid ones are there
    for s in samples:
        assert iban_ok(s) == _iban_ok_plain(s), s


def _to_digits(s: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in s))


def test_user_then_p_scan_equals_the_look_behind_led_form() -> None:
    plain = re.compile(r"(?<!\S)-u[ \t]+[^\s-]\S{0,127}[ \t]+-p[ \t]+(?P<v>[^\s\"'`\-][^\s\"'`]{0,255})")
    rnd = random.Random(12)
    hits = 0
    for _ in range(20000):
        t = "".join(
            rnd.choice(opts)
            for opts in (
                ["", " ", "a", "\n", "-", "x-", "\t", "--"],
                ["-u", "--u", "-U"],
                [" ", "\t", "", "  "],
                ["a", "-a", "bob", "b-b", "'"],
                [" ", "\t", "x"],
                ["-p", "-u", "p"],
                [" ", "", "\t"],
                ["pw", "-x", "'a", "s3cr3t", ""],
                ["", " -u a -p b", "x", "\x00-u c -p d"],
            )
        )
        want = [m.span("v") for m in plain.finditer(t)]
        assert [m.span("v") for m in context._USER_THEN_P.finditer(t)] == want, t
        hits += bool(want)
    assert hits > 3000


def test_mask_markers_are_found_as_the_regex_alternation_found_them() -> None:
    markers = ("xxxx", "XXXX", "****", "####", "\u2022\u2022\u2022")
    plain = re.compile("|".join(re.escape(m) for m in markers))
    rnd = random.Random(13)
    bits = ["x", "X", "*", "#", "\u2022", "a", "Z", "9", "_", "-", "xx", "XX", "**"]
    masked = 0
    for _ in range(20000):
        # a random token with a run of marker-like characters dropped in
        token = "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(rnd.randint(12, 40)))
        k = rnd.randrange(len(token))
        value = token[:k] + "".join(rnd.choice(bits) for _ in range(rnd.randint(1, 5))) + token[k:]
        if plain.search(value):
            masked += 1
            assert is_placeholder(value), value
        else:
            # every other test of is_placeholder is unchanged: its answer is the one without the markers
            assert is_placeholder(value) == is_placeholder(value.replace("\u2022", "\u2023")), value
    assert masked > 500


def test_escape_gate_by_families_agrees_with_the_alternation() -> None:
    """`context._has_escape` (three literal-led searches) answers as `_ESCAPE_GATE.search` does."""
    rnd = random.Random(41)
    # whole escapes, their near misses and the characters they are made of
    pieces = ["%3D", "%3d", "%2F", "%2", "%41", "\\u0022", "\\u0012", "\\x27", "\\x7", '\\\\\\"', "\\\\"]
    pieces += ["&quot;", "&quot", "&#34;", "&#3;", "&#x2F;", "&#x1F;", "&lt;", "&gt;", "&apos;"]
    pieces += list('%3D2Fc\\ux07"&;#ltx \n')
    counts = [0, 0]
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        want = context._ESCAPE_GATE.search(text) is not None
        assert context._has_escape(text) == want, text
        counts[want] += 1
    assert min(counts) > 2_000  # both answers drawn often enough to compare
