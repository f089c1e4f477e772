"""Numbers written side by side, and IPv6-looking subscripts.

A run of digit groups with single blanks between them is read as one number first; when it is no
number as a whole, it is cut next to words that are numbers of their own (dash-grouped, or 7+ digits),
never between blank-separated short groups (a mistyped card stays one mistyped card). Values are
generated here (issuer prefixes + Luhn, NANP rules), none is copied from an upstream suite.
"""

from __future__ import annotations

import random

import pytest

from aiops_mcp.server.gateway.redaction.engine import find_spans


def luhn_complete(body: str) -> str:
    """`body` + the Luhn check digit (ISO/IEC 7812)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str(-total % 10)


def luhn_ok(digits: str) -> bool:
    return luhn_complete(digits[:-1]) == digits


def card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "53", "55", "6011", "35"])
    return luhn_complete(prefix + "".join(rng.choice("0123456789") for _ in range(15 - len(prefix))))


def spaced(d: str) -> str:
    return " ".join(d[i : i + 4] for i in range(0, len(d), 4))


def dashed(d: str) -> str:
    return "-".join(d[i : i + 4] for i in range(0, len(d), 4))


def nanp(rng: random.Random) -> tuple[str, str, str]:
    return (
        str(rng.randint(2, 9)) + f"{rng.randint(0, 99):02d}",
        str(rng.randint(2, 9)) + "55",
        f"{rng.randint(0, 9999):04d}",
    )


def hidden(text: str, value: str) -> bool:
    spans = find_spans(text)
    s = text.index(value)
    return all(any(a <= i < b for a, b, _ in spans) for i in range(s, s + len(value)) if text[i].isdigit())


@pytest.mark.parametrize("seed", range(20))
def test_cards_side_by_side_are_each_hidden(seed: int) -> None:
    rng = random.Random(seed)
    a, b, c = card(rng), card(rng), card(rng)
    for text, values in [
        (f"{a} {dashed(b)} {spaced(c)}", [a, dashed(b), spaced(c)]),
        (f"cards: {a} {spaced(b)}", [a, spaced(b)]),
        (f"{dashed(a)} {dashed(b)}", [dashed(a), dashed(b)]),
    ]:
        for v in values:
            assert hidden(text, v), (text, v)


@pytest.mark.parametrize("seed", range(10))
def test_phone_followed_by_a_count_is_hidden(seed: int) -> None:
    rng = random.Random(seed)
    a, b, c = nanp(rng)
    n = rng.randint(100, 999)
    for value in (f"{a}-{b}-{c}", f"({a}) {b}-{c}"):
        text = f"customer called from {value} {n} times"
        assert hidden(text, value), text
        assert str(n) in "".join(text[e:] for _s, e, _k in find_spans(text)[-1:])  # the count stays


@pytest.mark.parametrize("seed", range(20))
def test_blank_separated_groups_are_not_cut_into_a_card(seed: int) -> None:
    rng = random.Random(seed)
    # a valid card and one more digit, the 17 digits failing Luhn: one mistyped number, not a card
    good = card(rng)
    extra = next(d for d in "0123456789" if not luhn_ok(good + d))
    mistyped = spaced(good + extra)
    # a valid card followed by a fifth 4-digit group: a table of numbers, not a card
    table = spaced(good) + f" {rng.randint(1000, 9999)}"
    for text in (mistyped, f"value {mistyped} rejected", table, f"row: {table}"):
        assert find_spans(text) == [], text


@pytest.mark.parametrize(
    "text",
    ["pairs = key[0::2]", "odd = args[1::2]", "rev = x[::2]", "values[::-1]", "zip(a[::2], a[1::2])"],
)
def test_subscripts_are_not_ipv6(text: str) -> None:
    assert find_spans(text) == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("listen [::1]:8080", "::1"),
        ("GET http://[::1]/health", "::1"),
        ("peer=[fe80::1]:443", "fe80::1"),
        ("bind ('::1', 53)", "::1"),
    ],
)
def test_bracketed_addresses_are_hidden(text: str, value: str) -> None:
    assert hidden(text, value)


@pytest.mark.parametrize("seed", range(10))
def test_mistyped_iban_groups_are_not_phones(seed: int) -> None:
    # an IBAN head, then digit groups that break the 4-character grouping (one dropped digit): no
    # valid IBAN, and its digits (here `00` + a country-code-like digit) are no phone either
    rng = random.Random(seed)
    head = rng.choice(["HR", "DE", "GB", "FR", "ES"]) + f"{rng.randint(10, 99)}"
    digits = "00" + str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(12))
    text = f"{head} {digits[:3]} {digits[3:7]} {digits[7:11]} {digits[11:15]} A"
    assert find_spans(text) == [], text


def test_a_list_of_dashed_phones_is_found_number_by_number() -> None:
    rng = random.Random(3)
    phones = ["-".join(nanp(rng)) for _ in range(12)]
    text = "callers: " + " ".join(phones)
    spans = find_spans(text)
    assert [text[s:e] for s, e, _k in spans] == phones


def test_a_page_of_plain_numbers_stays() -> None:
    rng = random.Random(4)
    for width in (4, 8, 12):
        text = " ".join(str(rng.randint(10 ** (width - 1), 10**width - 1)) for _ in range(40))
        # (a random 16-digit window may pass Luhn; blank-separated runs are never cut into one)
        assert [k for _s, _e, k in find_spans(text)] == [], text
