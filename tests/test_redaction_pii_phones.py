"""Phone numbers from libphonenumber's metadata (the `phonenumbers` package, a dev-only oracle).

The engine never imports `phonenumbers` (runtime speed and dependencies are chosen on purpose); here it
generates valid numbers of many numbering plans, so recall is measured on values written the way
people and systems write them, not on shapes the rules were tuned on:

- regions: the ones Presidio's recogniser searches by default plus other large plans;
- types: mobile and fixed line, the example number and random valid numbers near it;
- formats: E.164, RFC 3966 (`tel:`), international (blanks, dashes or dots), national, national
  with other separators, `00` or `011` instead of `+`, `+cc (0)area ...`, national digits only;
- contexts: bare, after phone words, in JSON values, in log lines and prose.

Policy these tests pin (national forms are ambiguous with ids, amounts and times):
- `+`/`00`/`tel:` forms and national forms with a trunk 0 or a grouping typical of phones are
  phones anywhere;
- national numbers of 7-8 digits (`8123 4567`, `555-0132`), 5-5 and 3-3-3 groupings, and runs of
  digits only are phones only after a phone label (`phone:`, `call me at`, `"mobile": "`); 10-digit
  runs that open with 1 are epoch seconds even there.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction.engine import find_spans

pn = pytest.importorskip("phonenumbers")
F = pn.PhoneNumberFormat
T = pn.PhoneNumberType

REGIONS = [
    "US",
    "GB",
    "DE",
    "IL",
    "IN",
    "CA",
    "BR",
    "FR",
    "AU",
    "PH",
    "ES",
    "IT",
    "NL",
    "MX",
    "JP",
    "SG",
    "ZA",
    "CN",  # 3-4-4 mobiles led by 1
    "AT",  # long subscriber numbers after a short area code
]
TYPES = (T.MOBILE, T.FIXED_LINE)

# contexts with a phone label right before the value, and contexts without any phone word
LABELLED = {
    "call": "please call me at {v} tomorrow",
    "label": "phone: {v}",
    "json": '{{"user": "u1", "phone": "{v}", "n": 3}}',
    "mine": "my number is {v}",
    "us": "Call us at {v} (Mon-Fri)",
    "key": '{{"mobileNumber":"{v}"}}',
}
PLAIN = {
    "bare": "{v}",
    "log": "2024-03-01 12:00:01 INFO notify sent to {v} status=ok",
    "prose": "Reach the office on {v}.",
}


def _nat(n: object) -> str:
    return pn.format_number(n, F.NATIONAL)


def _intl(n: object) -> str:
    return pn.format_number(n, F.INTERNATIONAL)


def _paren0(n: object) -> str | None:
    """`+49 (0)30 123456`: the trunk prefix in brackets, for plans that have a trunk 0."""
    if not re.sub(r"\D", "", _nat(n)).startswith("0"):
        return None
    cc = f"+{n.country_code} "  # type: ignore[attr-defined]
    return cc + "(0)" + _intl(n)[len(cc) :]


FORMATS: dict[str, Callable[[object], str | None]] = {
    "E164": lambda n: pn.format_number(n, F.E164),
    "RFC3966": lambda n: pn.format_number(n, F.RFC3966),
    "INTL": _intl,
    "INTL_DASH": lambda n: _intl(n).replace(" ", "-"),
    "INTL_00": lambda n: "00" + _intl(n)[1:],
    "INTL_PAREN0": _paren0,
    "INTL_DOT": lambda n: re.sub(r"[ \-]", ".", _intl(n)),
    # dialled from abroad: NANP's 011 prefix, or 00 written as a group of its own (from Germany)
    "FROM_US": lambda n: pn.format_out_of_country_calling_number(n, "US") if n.country_code != 1 else None,  # type: ignore[attr-defined]
    "FROM_DE": lambda n: pn.format_out_of_country_calling_number(n, "DE") if n.country_code != 49 else None,  # type: ignore[attr-defined]
    "NAT": _nat,
    "NAT_DASH": lambda n: re.sub(r"(?<=\d) (?=\d)", "-", _nat(n)),
    "NAT_SPACE": lambda n: re.sub(r"(?<=\d)-(?=\d)", " ", _nat(n)),
    "NAT_DIGITS": lambda n: re.sub(r"\D", "", _nat(n)),
}


def numbers(rng: random.Random, region: str, kind: int, k: int = 5) -> list[object]:
    """The region's example number of `kind` and random valid numbers sharing its first digits."""
    ex = pn.example_number_for_type(region, kind)
    out = [ex]
    nat = str(ex.national_number)
    for _ in range(400):
        if len(out) >= k:
            break
        keep = rng.randint(2, 4)
        digits = nat[:keep] + "".join(rng.choice("0123456789") for _ in nat[keep:])
        num = pn.PhoneNumber(country_code=ex.country_code, national_number=int(digits))
        if pn.is_valid_number(num) and pn.number_type(num) in (kind, T.FIXED_LINE_OR_MOBILE):
            out.append(num)
    return out


def _labelled_only(fmt: str, value: str) -> bool:
    """National forms that are phones only after a phone label (see the module docstring)."""
    if not fmt.startswith("NAT"):
        return False
    digits = re.sub(r"\D", "", value)
    return fmt == "NAT_DIGITS" or (digits[0] != "0" and len(digits) <= 8)


def _never(fmt: str, value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return fmt == "NAT_DIGITS" and (len(digits) < 9 or (len(digits) == 10 and digits[0] == "1"))


def hidden(text: str, value: str) -> bool:
    """Every digit of `value` inside a span (the label or extension may stay)."""
    spans = find_spans(text)
    s = text.index(value)
    return all(any(a <= i < b for a, b, _ in spans) for i in range(s, s + len(value)) if text[i].isdigit())


def generated() -> list[tuple[str, str, str, str]]:
    """(region, format, text, value) for every number, format and context the policy says is a phone."""
    rng = random.Random(20261126)
    out = []
    for region in REGIONS:
        for kind in TYPES:
            for num in numbers(rng, region, kind):
                assert pn.is_valid_number(num)
                for fmt, make in FORMATS.items():
                    value = make(num)
                    if value is None or _never(fmt, value):
                        continue
                    ctxs = LABELLED if _labelled_only(fmt, value) else {**LABELLED, **PLAIN}
                    out.extend((region, fmt, t.format(v=value), value) for t in ctxs.values())
    return out


_CASES = generated()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_generated_numbers_are_hidden(fmt: str) -> None:
    cases = [c for c in _CASES if c[1] == fmt]
    assert len(cases) > 50  # every format is exercised over many regions
    missed = [(region, text) for region, _f, text, value in cases if not hidden(text, value)]
    assert not missed, missed[:8]


def test_every_region_contributes() -> None:
    assert {c[0] for c in _CASES} == set(REGIONS)


@pytest.mark.parametrize(
    "text",
    [
        "Call ended after 3120 ms",
        "reach me at my desk 2024-01-15",
        "phone: 2024-01-15 12:30:45",
        "phone: 15-01-2024",
        "phone-home check ok: 1234 5678 bytes",
        "mobile app build 1234 5678",
        "callback 123456789 registered",
        "call stack frame 2220134567 unwound",
        "phone: 1700000000",
        "released 2024-01-15, due 15/01/2024, batch 20240115",
        "at 12:34:56.789 took 1h23m45s, 1500 ms",
        "version 1.24.3 build 20240115.3",
        "listening on port 8443 pid 123456 tid 7890",
        "sent 123456789 bytes, 1234567890 total",
        "order 1234567890 invoice INV-2024-000123",
        "id 550e8400-e29b-41d4-a716-446655440000",
        "amount 1,234,567.89 EUR, 1 234 567 units",
        "ts=1700000000 ts_ms=1700000000123",
        "ISBN 978-3-16-148410-0 and 0-306-40615-2",
        'resourceVersion: "123456789"',
        '  File "x.py", line 1234567, in f',
        "called 3 times; 20240115 123456",
        "number is 1234567 of 8901234",
        "Call stack 0x00007fff 12345678",
        "offset +08.00.00 applied",
        "build 2.1.0+20240115.1 and 1.0.0+1.2.3",
        "call 011 0 1 2 3 4",
    ],
)
def test_numbers_that_are_not_phones_are_kept(text: str) -> None:
    assert find_spans(text) == []
