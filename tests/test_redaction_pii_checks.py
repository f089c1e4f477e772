"""Format checks beyond the checksum, and labelled short forms, on generated values.

- An IBAN's account part follows its country's registered structure (SWIFT registry: letters only
  where the registry has letters), also in upper case: a mistyped IBAN whose mod-97 happens to hold
  (one candidate in a hundred) is kept. Here the check digits are recomputed for the mistyped body,
  so only the structure can reject it.
- A local phone number of 7-8 digits without grouping is a phone right after a label naming a phone
  (`phone: `, `Tel. `, `mobile_number=`, `call back at `, `Caller ID `); a bare verb (`call 1234567`),
  the words `callback` and `caller` alone, a run led by 0/1 or no label at all leave it alone.
- Philippine ids written with blanks count under their own name only; `63 9xx...` mobiles without
  the plus under a phone word; `09xx.xxx.xxxx` always.
- 3-2-4 numbers with a 9xx area are IRS ITINs when the group is one the IRS assigns.
- E-mail addresses in URL queries and fragments are addresses (only `scheme://user@host` is userinfo);
  percent-encoded addresses (`%40`) and international numbers (`%2B`) are found too; automated
  sender mailboxes (`noreply@`) name no person and stay.
- A scoped IPv6 address goes with its zone (`fe80::1%eth0`); `::` is an address only as a value.
- Batches (documents joined by newlines) find what single texts find.
"""

from __future__ import annotations

import random
import string

import pytest

from aiops_mcp.server.gateway.redaction.engine import find_spans
from tests.test_redaction_pii_formats import IBAN_STRUCTURES, _mod97, group4, make_iban


def redact(text: str) -> str:
    out, pos = [], 0
    for s, e, kind in find_spans(text):
        out.append(text[pos:s] + f"<{kind}>")
        pos = e
    return "".join(out) + text[pos:]


def _with_check(country: str, bban: str) -> str:
    return f"{country}{98 - _mod97(bban + country + '00'):02d}{bban}"


def _mistyped(rng: random.Random, country: str) -> str | None:
    """A valid IBAN with one character of the wrong class (a letter among digits or the reverse), its
    check digits recomputed; None when the country's structure has only `c` (any) positions."""
    classes = [cls for n, cls in IBAN_STRUCTURES[country] for _ in range(n)]
    strict = [i for i, cls in enumerate(classes) if cls in "na"]
    if not strict:
        return None
    bban = make_iban(rng, country)[4:]
    i = rng.choice(strict)
    wrong = rng.choice(string.ascii_uppercase if classes[i] == "n" else string.digits)
    return _with_check(country, bban[:i] + wrong + bban[i + 1 :])


@pytest.mark.parametrize("seed", range(3))
def test_ibans_against_their_country_structure(seed: int) -> None:
    rng = random.Random(seed)
    kept = hidden = 0
    for country in sorted(IBAN_STRUCTURES):
        good = make_iban(rng, country)
        for form in (good, group4(good), f"this is an iban {group4(good)} X in a sentence"):
            assert good[4:8] not in redact(form).replace("<IBAN>", ""), form
            hidden += 1
        bad = _mistyped(rng, country)
        if bad is None:
            continue
        assert _mod97(bad[4:] + bad[:4]) == 1  # the checksum alone would accept it
        for form in (bad, group4(bad), f"IBAN: {group4(bad)}"):
            assert redact(form) == form, form
            kept += 1
    assert kept > 150 and hidden > 200


def _local(rng: random.Random, n: int) -> str:
    return str(rng.randint(2, 9)) + "".join(rng.choice(string.digits) for _ in range(n - 1))


@pytest.mark.parametrize("seed", range(5))
def test_labelled_local_numbers_are_hidden(seed: int) -> None:
    rng = random.Random(seed)
    for label in ("phone: ", "Phone number: ", "Tel. ", "tel:", "mobile_number=", "fax #", "call me at "):
        for n in (7, 8):
            value = _local(rng, n)
            text = f"customer {label}{value} (updated)"
            assert value not in redact(text), text


@pytest.mark.parametrize("seed", range(5))
def test_unlabelled_or_odd_local_runs_are_kept(seed: int) -> None:
    rng = random.Random(seed)
    texts = [
        f"call {_local(rng, 7)} returned",  # a call id: the verb alone names no phone
        f"text {_local(rng, 8)} bytes",
        f"took {_local(rng, 7)} us",
        f"phone: 0{_local(rng, 7)[1:]}",  # subscriber numbers are not led by 0 or 1
        f"phone: 1{_local(rng, 8)[1:]}",
        f"phone: {_local(rng, 6)}",
        f"offset {_local(rng, 8)} phone",
        f"microphone gain {_local(rng, 7)}",
    ]
    for text in texts:
        assert redact(text) == text, text


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


# Philippine ids in their official groupings, written with blanks: (name written before, groups)
PH_SPACED = [
    ("TIN", (3, 3, 3)),
    ("TIN no.", (3, 3, 3, 3)),
    ("Taxpayer Identification Number:", (3, 3, 3, 5)),
    ("SSS", (2, 7, 1)),
    ("SSS number:", (2, 7, 1)),
    ("PhilHealth ID", (2, 9, 1)),
    ("PHIC", (2, 9, 1)),
    ("Pag-IBIG MID", (4, 4, 4)),
    ("HDMF no.", (4, 4, 4)),
]


@pytest.mark.parametrize("seed", range(5))
def test_philippine_ids_with_blanks_are_hidden_under_their_name(seed: int) -> None:
    rng = random.Random(seed)
    for name, groups in PH_SPACED:
        value = " ".join(_digits(rng, g) for g in groups)
        for text in (f"{name} {value}", f'{{"member": "{name} {value}", "status": "active"}}'):
            assert value not in redact(text), text


@pytest.mark.parametrize("seed", range(5))
def test_blank_grouped_numbers_under_another_name_are_kept(seed: int) -> None:
    rng = random.Random(seed)
    for _name, groups in PH_SPACED:
        # digits led by 1-9 (0-led groups of 3 read as national phone numbers)
        value = " ".join(str(rng.randint(1, 9)) + _digits(rng, g - 1) for g in groups)
        for text in (f"rows {value}", f"SSN {value}" if groups != (3, 3, 3) else f"counts {value}"):
            assert redact(text) == text, text


@pytest.mark.parametrize("seed", range(5))
def test_philippine_mobiles_with_country_code_and_no_plus(seed: int) -> None:
    rng = random.Random(seed)
    mobile = "639" + _digits(rng, 9)
    for text in (f"sms to {mobile} queued", f"mobile: {mobile}", f'{{"phone": "{mobile}"}}'):
        assert mobile not in redact(text), text
    for text in (f"order {mobile} shipped", f"bytes={mobile}"):
        assert redact(text) == text, text


def _address(rng: random.Random) -> tuple[str, str]:
    word = lambda: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 8)))  # noqa: E731
    return f"{word()}.{word()}{rng.randint(1, 99)}", f"{word()}.example.org"


@pytest.mark.parametrize("seed", range(5))
def test_addresses_in_url_queries_are_hidden(seed: int) -> None:
    rng = random.Random(seed)
    local, domain = _address(rng)
    plain, encoded = f"{local}@{domain}", f"{local}%40{domain}"
    for text, value in (
        (f"GET https://api.example.com/v1/users?email={plain}&page=2 HTTP/1.1", plain),
        (f"redirect to https://app.example.com/invite#/to/{plain}", plain),
        (f'10.0.0.7 - - "GET /api/users?email={encoded}&page=2 HTTP/1.1" 200', encoded),
        (f"mailto:{encoded}", encoded),
        (f"POST /signup body=name%3Djo%26email%3D{local}%2Bnews%40{domain}", f"{local}%2Bnews%40{domain}"),
    ):
        out = redact(text)
        assert value not in out and local not in out, text


@pytest.mark.parametrize("seed", range(5))
def test_url_userinfo_and_encoded_lookalikes_are_not_addresses(seed: int) -> None:
    rng = random.Random(seed)
    local, domain = _address(rng)
    for text in (
        f"https://{local}@{domain}/repo.git",  # userinfo: the user name of a URL, not a mailbox
        f"GET /search?q=%40{domain} HTTP/1.1",  # a mention, no local part
        f"npm install %40{local}%40{domain}",  # a scoped package, escaped
    ):
        assert redact(text) == text, text


@pytest.mark.parametrize("seed", range(5))
def test_percent_encoded_international_numbers_are_hidden(seed: int) -> None:
    rng = random.Random(seed)
    a, b, c = (
        str(rng.randint(2, 9)) + _digits(rng, 2),
        str(rng.randint(2, 9)) + _digits(rng, 2),
        _digits(rng, 4),
    )
    for text, value in (
        (f"GET /lookup?phone=%2B1{a}{b}{c}&src=web HTTP/1.1", f"{a}{b}{c}"),
        (f"GET /lookup?phone=%2B1%20{a}%20{b}%20{c} HTTP/1.1", f"{b}%20{c}"),
        (f"callback=tel%3A%2B44{a}{b}{c}", f"{a}{b}{c}"),
    ):
        assert value not in redact(text), text
    # too long for E.164, or too short: an encoded plus before another number
    for text in (f"x=%2B{_digits(rng, 17)}", f"delta=%2B{_digits(rng, 5)}", f"v=%2B{a}.{b}"):
        assert redact(text) == text, text


def test_zero_led_hex_dump_bytes_are_not_a_national_number() -> None:
    rng = random.Random(3)
    for _ in range(20):
        row = " ".join(["00"] + [f"{rng.choice([0, 0, 1, 2]):02d}" for _ in range(4)])
        text = f"0000010: {row}  ................"
        assert redact(text) == text, text


def _best_time(fn, text: str) -> float:  # type: ignore[no-untyped-def]
    import time

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        list(fn(text))
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize(
    "unit",
    ["%2B1-", "%2B1%20", "a%40", "a%40b.", "%40a.a", "a%2Ba%40" + "x." * 8, "1" * 15 + "%2B"],
)
def test_percent_encoded_scans_grow_linearly(unit: str) -> None:
    """Eight times the text costs about eight times the time (a quadratic scan would cost 64x)."""
    from aiops_mcp.server.gateway.redaction import pii

    small, large = unit * 2_000, unit * 16_000
    ratio = _best_time(pii.percent_encoded_spans, large) / max(
        _best_time(pii.percent_encoded_spans, small), 1e-6
    )
    assert ratio < 24, ratio


def _itin(rng: random.Random, *, valid: bool = True) -> tuple[str, str, str]:
    groups = [*range(50, 66), *range(70, 89), 90, 91, 92, *range(94, 100)]
    other = [g for g in range(1, 100) if g not in groups]
    group = rng.choice(groups if valid else other)
    return f"9{_digits(rng, 2)}", f"{group:02d}", f"{rng.randint(1, 9999):04d}"


@pytest.mark.parametrize("seed", range(5))
def test_itins_are_hidden_in_their_written_forms(seed: int) -> None:
    rng = random.Random(seed)
    a, g, s = _itin(rng)
    for text, values in (
        (f"ITIN {a}-{g}-{s} on file", [f"{a}-{g}-{s}"]),
        (f"{a}.{g}.{s}", [f"{a}.{g}.{s}"]),
        (f"my itin: {a}{g}{s}", [f"{a}{g}{s}"]),
        (f"my taxpayer id is {a}-{g}{s} {a}{g}-{s}", [f"{a}-{g}{s}", f"{a}{g}-{s}"]),
    ):
        out = redact(text)
        assert all(v not in out for v in values) and "<ITIN>" in out, text


@pytest.mark.parametrize("seed", range(5))
def test_nine_hundred_numbers_outside_the_itin_groups_are_kept(seed: int) -> None:
    rng = random.Random(seed)
    a, g, s = _itin(rng, valid=False)
    for text in (f"{a}-{g}-{s}", f"my taxpayer id {a}-{g}-{s}", f"my itin: {a}{g}{s}", f"ref {a}-{g}{s}"):
        assert redact(text) == text, text
    a, g, s = _itin(rng)
    assert redact(f"order {a}{g}{s} shipped") == f"order {a}{g}{s} shipped"  # bare: only under its name


@pytest.mark.parametrize("seed", range(5))
def test_national_numbers_side_by_side_are_each_hidden(seed: int) -> None:
    rng = random.Random(seed)
    first = f"0{rng.randint(2, 9)}{rng.randint(0, 9)} {rng.randint(2, 9)}{_digits(rng, 6)}"
    second = f"0{rng.randint(2, 9)}{rng.randint(0, 9)}-{rng.randint(2, 9)}{_digits(rng, 6)}"
    text = f"try one of these phones {first} {second}"
    out = redact(text)
    assert first not in out and second not in out, out


@pytest.mark.parametrize("seed", range(5))
def test_scoped_ipv6_addresses_go_with_their_zone(seed: int) -> None:
    rng = random.Random(seed)
    groups = ":".join(f"{rng.getrandbits(16):x}" for _ in range(4))
    zone = rng.choice(["eth", "en", "wlan", "enp0s"]) + str(rng.randint(0, 9))
    for text, kept in (
        (f"fe80::{groups}%{zone}/64", "/64"),
        (f"Gateway: fe80::{groups}%{zone}.", "."),
        (f"http://[fe80::{groups}%25{zone}]:8080/", "]:8080/"),
    ):
        out = redact(text)
        assert zone not in out and groups not in out and out.endswith(kept), (text, out)
    assert redact(f"fe80::{groups}% of links") == "<IP_ADDRESS>% of links"


@pytest.mark.parametrize("seed", range(5))
def test_call_back_and_caller_labels_name_a_phone(seed: int) -> None:
    rng = random.Random(seed)
    for label in (
        "customer asked for a call back at ",
        "call-back: ",
        "call-back number ",
        "Caller ID ",
        "callerid=",
    ):
        for value in (
            f"{_local(rng, 3)}-{_digits(rng, 4)}",
            _local(rng, 7),
            f"{_local(rng, 3)} {_digits(rng, 4)}",
        ):
            text = f"ticket #{rng.randint(1000, 9999)}: {label}{value} regarding billing"
            assert value not in redact(text), text
    for text in (
        f"recall {_local(rng, 3)}-{_digits(rng, 4)}",
        f"syscall {_local(rng, 7)} returned",
        f"callback {_local(rng, 9)} registered",  # one word: a callback id in code and logs
        f"caller {_local(rng, 7)} exited",  # a caller process, not a caller id
    ):
        assert redact(text) == text, text


@pytest.mark.parametrize("seed", range(5))
def test_dotted_numbers_before_a_clause_colon(seed: int) -> None:
    rng = random.Random(seed)
    a, b, c = _local(rng, 3), _local(rng, 3), _digits(rng, 4)
    text = f"SMS delivery failed for {a}.{b}.{c}: carrier rejected"
    assert f"{a}.{b}.{c}" not in redact(text), text
    area, group, serial = (
        f"{rng.randint(1, 665):03d}",
        f"{rng.randint(1, 99):02d}",
        f"{rng.randint(1, 9999):04d}",
    )
    text = f"ssn {area}.{group}.{serial}: verified"
    assert serial not in redact(text), text
    # `:digits` after it is a port or a time: the dotted run is something else
    for text in (f"peer {a}.{b}.{c}:{rng.randint(1, 65535)}", f"v{a}.{b}.{c}"):
        assert redact(text) == text, text


def test_the_unspecified_address_only_as_a_value() -> None:
    for text in (
        "Use local ipv6 ::",
        "src=:: dst=::1",
        "bind :: port 8080",
        "::/0",
        "host = '::'",
        '{"listen": "::"}',
    ):
        assert "<IP_ADDRESS>" in redact(text), text
    for text in (
        "Example::\n\n    >>> run()",  # reST literal-block markers
        "    # character group definitions ::\n",
        "(r'::', Operator),",  # the operator in a token list
        "key = prefix + '::' + name",
        '# [ h16 ] "::" 4( h16 ":" ) ls32',  # ABNF
    ):
        assert redact(text) == text, text


@pytest.mark.parametrize("seed", range(5))
def test_philippine_mobiles_written_with_dots(seed: int) -> None:
    rng = random.Random(seed)
    mobile = f"09{_digits(rng, 2)}.{_digits(rng, 3)}.{_digits(rng, 4)}"
    for text in (f"mobile: {mobile}", f"Contact {mobile} for details", mobile):
        assert mobile not in redact(text), text
    for text in (f"v1{mobile}", f"{mobile}.{rng.randint(1, 9)}", f"1.{mobile}"):
        assert redact(text) == text, text


@pytest.mark.parametrize("seed", range(5))
def test_automated_sender_mailboxes_are_not_personal(seed: int) -> None:
    rng = random.Random(seed)
    local, domain = _address(rng)
    for sender in ("noreply", "no-reply", "NoReply", "donotreply", "mailer-daemon"):
        text = f"bounce from {sender}@{domain}: 550 user unknown"
        assert redact(text) == text, text
    # a person's address, also one that merely contains such a word or sits on a no-reply domain
    for address in (
        f"{local}@{domain}",
        f"noreply.{local}@{domain}",
        f"{rng.randint(1, 99999)}+{local}@users.noreply.{domain}",
    ):
        assert address not in redact(f"from {address} ok"), address


def test_batches_find_what_single_texts_find() -> None:
    """find_spans_many joins documents with newlines: a value at a document's start or end is the same
    value there (`::/0` opening a document, a dotted mobile or an encoded address at its end)."""
    from aiops_mcp.server.gateway.redaction.engine import find_spans_many

    rng = random.Random(2)
    local, domain = _address(rng)
    texts = [
        "::/0",
        "src=:: dst=::1",
        "listen ::",
        f"09{_digits(rng, 2)}.{_digits(rng, 3)}.{_digits(rng, 4)}",
        f"GET /?e={local}%40{domain}",
        f"fe80::{_digits(rng, 2)}%eth0",
        "Example::\n\n    code",
    ]
    for order in (texts, texts[::-1]):
        docs = ["x", *order, "y"]
        assert find_spans_many(docs) == [find_spans(t) for t in docs]
