"""Format checks beyond the checksum, and labelled short forms, on generated values.

- An IBAN's account part follows its country's registered structure (SWIFT registry: letters only
  where the registry has letters), also in upper case: a mistyped IBAN whose mod-97 happens to hold
  (one candidate in a hundred) is kept. Here the check digits are recomputed for the mistyped body,
  so only the structure can reject it.
- A local phone number of 7-8 digits without grouping is a phone right after a label naming a phone
  (`phone: `, `Tel. `, `mobile_number=`); a bare verb (`call 1234567`), a run led by 0/1 or no
  label at all leaves it alone.
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
