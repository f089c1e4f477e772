"""Personal-data formats generated from their specifications, in log-shaped contexts.

Every value here is made at run time by a generator that follows the format's published rules
(SWIFT IBAN registry structures and ISO 7064 mod-97, issuer ranges and Luhn, E.164 and national
phone plans, RFC 5321/6531 addresses, RFC 4291/5952 IPv6 text forms, SSA SSN rules, base58check,
IEEE MAC notations, Philippine id groupings), so the tests measure recall on values nobody on the
team has seen, and look-alikes (wrong check digit, wrong length, log numbers) measure false positives.
`probe()` returns the whole labelled set; /tmp scripts use it to print recall per kind.

Decisions recorded here (tests assert them):
- `user@localhost` (no dot in the domain) is not an e-mail address to redact: it names a local
  account, and matching dot-less domains would take `@mentions`-like tokens (`pkg@1.2`) with it.
- `git@github.com:org/repo.git` and `deploy@host:/path` are scp/ssh targets, not mailboxes: kept.
- `version 1.2.3.4` with four parts in range is an IPv4 address (it could be one; leaking an address
  costs more than masking a version); `v1.2.3.4`, `1.2.3` and `1.2.3.4.5` are kept.
- 3-2-4 numbers with a 9xx area are IRS ITINs when their group is one the IRS assigns (50-65,
  70-88, 90-92, 94-99), kind ITIN; other 9xx numbers are neither (SSA never issues 9xx SSNs).
- Ethereum `0x` + 40 hex is a wallet only in EIP-55 mixed case with a right Keccak-256 checksum
  (test_redaction_pii_wallets.py); all-lower/all-upper ones are mostly SHA-1 or contract hashes.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction.engine import find_spans

Case = tuple[str, str, str]  # (kind, value that must disappear, context template name)

# --- IBAN: SWIFT registry, country -> BBAN structure (n digits, a upper-case letters, c alphanumeric) ---
IBAN_SPEC = """
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


def _iban_structures() -> dict[str, list[tuple[int, str]]]:
    words = IBAN_SPEC.split()
    out: dict[str, list[tuple[int, str]]] = {}
    for country, spec in zip(words[::2], words[1::2], strict=True):
        parts, num = [], ""
        for ch in spec:
            if ch.isdigit():
                num += ch
            else:
                parts.append((int(num), ch))
                num = ""
        out[country] = parts
    return out


IBAN_STRUCTURES = _iban_structures()
_ALPHABET = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}


def _mod97(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def make_iban(rng: random.Random, country: str, *, bad_check: bool = False) -> str:
    bban = "".join(rng.choice(_ALPHABET[cls]) for n, cls in IBAN_STRUCTURES[country] for _ in range(n))
    check = 98 - _mod97(bban + country + "00")
    if bad_check:
        check = (check + rng.randint(1, 96) - 2) % 97 + 2  # any other value in 2..98
    return f"{country}{check:02d}{bban}"


def group4(value: str) -> str:
    return " ".join(value[k : k + 4] for k in range(0, len(value), 4))


def iban_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    pos: list[Case] = []
    neg: list[str] = []
    for country in sorted(IBAN_STRUCTURES):
        iban = make_iban(rng, country)
        pos.append(("IBAN", iban, ""))
        pos.append(("IBAN", group4(iban), ""))
        pos.append(("IBAN", iban.lower(), ""))
        pos.append(("IBAN", group4(iban).lower(), ""))
        pos.append(("IBAN", group4(iban).replace(" ", "-"), ""))
        neg.append(make_iban(rng, country, bad_check=True))
        neg.append(group4(make_iban(rng, country, bad_check=True)))
        # one character more or less than the country's length, with a check computed for that wrong
        # length (so only the registry length can reject it)
        good = make_iban(rng, country)
        for bban in (good[4:-1], good[4:] + rng.choice(string.digits)):
            neg.append(f"{country}{98 - _mod97(bban + country + '00'):02d}{bban}")
    return pos, neg


# --- payment cards: issuer ranges and lengths, Luhn check digit ----------------------------------
CARD_ISSUERS: list[tuple[str, Callable[[random.Random], str], tuple[int, ...], tuple[int, ...]]] = [
    # name, prefix maker, lengths, grouping for the printed form (empty: 4-digit groups)
    ("visa", lambda r: "4", (13, 16, 19), ()),
    ("mastercard", lambda r: str(r.randint(51, 55)), (16,), ()),
    ("mastercard2", lambda r: str(r.randint(2221, 2720)), (16,), ()),
    ("amex", lambda r: r.choice(["34", "37"]), (15,), (4, 6, 5)),
    ("discover", lambda r: r.choice(["6011", "65", str(r.randint(644, 649))]), (16, 19), ()),
    ("diners", lambda r: r.choice(["36", "38", str(r.randint(300, 305))]), (14,), (4, 6, 4)),
    ("jcb", lambda r: str(r.randint(3528, 3589)), (16, 19), ()),
    ("unionpay", lambda r: "62" + str(r.randint(2126, 2925))[:2], (16, 17, 18, 19), ()),
    ("maestro", lambda r: r.choice(["5018", "5020", "5038", "6304", "6759", "6761", "6763"]), (16, 19), ()),
]


def luhn_complete(body: str) -> str:
    """`body` plus the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these digits are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def make_card(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def _grouped(digits: str, groups: tuple[int, ...], sep: str) -> str:
    if not groups:
        groups = tuple(4 for _ in range(0, len(digits), 4))
    out, k = [], 0
    for g in groups:
        if k < len(digits):
            out.append(digits[k : k + g])
            k += g
    return sep.join(out)


def card_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    pos: list[Case] = []
    neg: list[str] = []
    for _name, prefix, lengths, groups in CARD_ISSUERS:
        for length in lengths:
            for sep in ("", " ", "-"):
                card = make_card(rng, prefix(rng), length)
                pos.append(("CARD", _grouped(card, groups, sep) if sep else card, ""))
                bad = card[:-1] + str((int(card[-1]) + rng.randint(1, 9)) % 10)
                neg.append(_grouped(bad, groups, sep) if sep else bad)
    # 16-digit numbers in logs that are not cards: epoch micro/nanoseconds, ids led by 1, 7, 8, 9,
    # date-times written as one run (yyyymmddHHMMSS plus fractions) even when Luhn happens to pass
    for _ in range(6):
        stamp = f"{rng.randint(2000, 2099)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{_d(rng, 6)}"
        neg.append(luhn_complete(stamp + _d(rng, rng.choice([1, 2, 4]))))
        neg.append(str(rng.randint(1_600_000_000_000_000, 1_800_000_000_000_000)))
        neg.append(luhn_complete(rng.choice("789") + "".join(rng.choice(string.digits) for _ in range(14))))
    return pos, neg


# --- phone numbers: E.164 country codes with their national groupings -----------------------------
def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _nanp(rng: random.Random) -> tuple[str, str, str]:
    # NANP: area and exchange codes start with 2-9; 555-01xx numbers are reserved for fiction
    return str(rng.randint(2, 9)) + _d(rng, 2), str(rng.randint(2, 9)) + _d(rng, 2), _d(rng, 4)


def phone_values(rng: random.Random) -> list[str]:
    a, b, c = _nanp(rng)
    ph_mobile = "9" + _d(rng, 9)  # Philippine mobiles: 9xx xxx xxxx after +63 or the trunk 0
    out = [
        # United States / Canada, international and national forms
        f"+1 {a} {b} {c}",
        f"+1-{a}-{b}-{c}",
        f"+1 ({a}) {b}-{c}",
        f"+1{a}{b}{c}",
        f"({a}) {b}-{c}",
        f"{a}-{b}-{c}",
        f"{a}.{b}.{c}",
        f"{a} {b} {c}",
        f"1-800-{b}-{c}",
        f"1 ({a}) {b}-{c}",
        # United Kingdom: London 20 xxxx xxxx, mobiles 7xxx xxxxxx
        f"+44 20 {_d(rng, 4)} {_d(rng, 4)}",
        f"0044 20 {_d(rng, 4)} {_d(rng, 4)}",  # 00: the international prefix written out
        f"+44 7{_d(rng, 3)} {_d(rng, 6)}",
        f"+447{_d(rng, 9)}",
        f"020 {_d(rng, 4)} {_d(rng, 4)}",
        f"07{_d(rng, 3)} {_d(rng, 6)}",
        # Germany, France, Australia, Japan, India, Brazil, Israel, Spain, Italy, Netherlands
        f"+49 30 {_d(rng, 8)}",
        f"+49 151 {_d(rng, 8)}",
        f"+33 1 {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}",
        f"+33 6{_d(rng, 8)}",
        f"01 {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}",
        f"+61 2 {_d(rng, 4)} {_d(rng, 4)}",
        f"+61 4{_d(rng, 2)} {_d(rng, 3)} {_d(rng, 3)}",
        f"(02) {_d(rng, 4)} {_d(rng, 4)}",
        f"+81 3-{_d(rng, 4)}-{_d(rng, 4)}",
        f"+81 90-{_d(rng, 4)}-{_d(rng, 4)}",
        f"090-{_d(rng, 4)}-{_d(rng, 4)}",
        f"03-{_d(rng, 4)}-{_d(rng, 4)}",
        f"+91 9{_d(rng, 4)} {_d(rng, 5)}",
        f"+91-9{_d(rng, 9)}",
        f"+55 11 9{_d(rng, 4)}-{_d(rng, 4)}",
        f"+972 50-{_d(rng, 3)}-{_d(rng, 4)}",
        f"+34 6{_d(rng, 2)} {_d(rng, 3)} {_d(rng, 3)}",
        f"+39 06 {_d(rng, 4)} {_d(rng, 4)}",
        f"+31 20 {_d(rng, 3)} {_d(rng, 4)}",
        # Philippines: +63 and 09xx mobiles, Manila landline
        f"+63 {ph_mobile[:3]} {ph_mobile[3:6]} {ph_mobile[6:]}",
        f"+63{ph_mobile}",
        f"0{ph_mobile[:3]} {ph_mobile[3:6]} {ph_mobile[6:]}",
        f"0{ph_mobile[:3]}-{ph_mobile[3:6]}-{ph_mobile[6:]}",
        f"0{ph_mobile}",
        f"(02) 8{_d(rng, 3)} {_d(rng, 4)}",
    ]
    return out


def phone_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    pos: list[Case] = [("PHONE", v, "") for _ in range(2) for v in phone_values(rng)]
    a, b, c = _nanp(rng)
    # with an extension: the number must go; the extension may stay
    pos += [("PHONE", f"{a}-{b}-{c}", " ext. 214"), ("PHONE", f"({a}) {b}-{c}", " x42")]
    pos += [
        ("PHONE", f"{a}-{b}-{c}x{rng.randint(10, 999)}", ""),
        ("PHONE", f"+1 {a} {b} {c} ext {rng.randint(1, 99)}", ""),
    ]
    uk, ph = f"20{_d(rng, 8)}", f"9{_d(rng, 9)}"
    pos += [
        ("PHONE", f"tel:+1{a}{b}{c}", ""),
        ("PHONE", f"tel:+44-{uk[:2]}-{uk[2:6]}-{uk[6:]}", ""),
        ("PHONE", f"(+63) {ph[:3]} {ph[3:6]} {ph[6:]}", ""),
        ("PHONE", f"+63 (2) 8{_d(rng, 3)} {_d(rng, 4)}", ""),
        ("PHONE", f"+44 (0)20 {_d(rng, 4)} {_d(rng, 4)}", ""),
        ("PHONE", f"+1.{a}.{b}.{c}", ""),
    ]
    y, mo, dd = rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    neg = [
        f"version {rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
        f"{y}-{mo:02d}-{dd:02d}",
        f"{y}-{mo:02d}-{dd:02d} {hh:02d}:{mm:02d}:{ss:02d}",
        f"{y}-{mo:02d}-{dd:02d}T{hh:02d}:{mm:02d}:{ss:02d}.{_d(rng, 6)}Z",
        f"{dd:02d}/{mo:02d}/{y} {hh:02d}:{mm:02d}",
        f"{y}{mo:02d}{dd:02d} {hh:02d}{mm:02d}{ss:02d}",
        f"{hh:02d}:{mm:02d}:{ss:02d},{_d(rng, 3)}",
        f"oid 1.3.6.1.{rng.randint(2, 4)}.1.{rng.randint(1, 9999)}.{rng.randint(1, 9)}.0",  # SNMP
        f"took {rng.randint(100, 9999)} ms",
        f"ports 8080 8443 9090 {rng.randint(1024, 65535)}",
        f"processed {rng.randint(1000, 9999)} of {rng.randint(10000, 99999)} rows",
        f"pid {rng.randint(1000, 99999)} tid {rng.randint(1000, 99999)}",
        f"request_id={rng.randint(10**9, 10**10 - 1)}",
        f"ts={rng.randint(1_600_000_000, 1_800_000_000)}",
        f"ts_ms={rng.randint(1_600_000_000_000, 1_800_000_000_000)}",
        f"blk_{rng.randint(10**17, 10**18)}",
        f"blk_-{rng.randint(10**17, 10**18)}",
        f"bytes={rng.randint(10**6, 10**9)}",
        f"0x{rng.getrandbits(64):016x}",
        f"uid={rng.randint(1000, 65535)} gid={rng.randint(1000, 65535)}",
        f"job {rng.randint(10**6, 10**7)} done",
        f"line {rng.randint(1, 999)} col {rng.randint(1, 200)}",
        f"{rng.randint(1, 99)}.{rng.randint(0, 9)}% cpu, load {rng.random():.2f} {rng.random():.2f}",
    ]
    return pos, neg


def phone_named_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    """Unformatted national numbers: phones only with a phone word before them."""
    pos: list[Case] = []
    for word in ("phone:", "Phone number", "call me at", "mobile=", "Tel.", "cell", "fax:", "SMS to"):
        pos.append(("PHONE", "".join(_nanp(rng)), word))
    pos.append(("PHONE", "1" + "".join(_nanp(rng)), "phone"))
    pos.append(("PHONE", "07" + _d(rng, 9), "mobile:"))
    # the same shapes without a phone word are epoch times, ids and counters
    neg = ["".join(_nanp(rng)) for _ in range(4)] + [str(rng.randint(1_600_000_000, 1_800_000_000))]
    neg += [f"hotel {''.join(_nanp(rng))}", f"cancel {''.join(_nanp(rng))}"]
    neg.append(f"phone: {rng.randint(1_600_000_000, 1_800_000_000)}")
    return pos, neg


# --- e-mail addresses ------------------------------------------------------------------------------
def _word(rng: random.Random, lo: int = 3, hi: int = 10) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(lo, hi)))


def email_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    w = _word
    values = [
        f"{w(rng)}@{w(rng)}.com",
        f"{w(rng)}.{w(rng)}@{w(rng)}.org",
        f"{w(rng)}+{w(rng)}@{w(rng)}.io",
        f"{w(rng)}_{w(rng)}{rng.randint(1, 99)}@mail.{w(rng)}.co.uk",
        f"{w(rng).upper()}@{w(rng).upper()}.NET",
        f"{w(rng)}@{w(rng)}.{w(rng)}.{w(rng)}.example",
        f"{w(rng)}@{w(rng)}.photography",
        f"{w(rng)}@{w(rng)}.technology",
        f"{w(rng)}-{w(rng)}@{w(rng)}-{w(rng)}.de",
        f"{w(rng)}%{w(rng)}@{w(rng)}.net",
        f"{rng.randint(1000, 9999)}@{w(rng)}.com",
        f"{w(rng)}@{w(rng)}.xn--p1ai",  # IDN top-level domain in its ASCII (punycode) form
        f"{w(rng)}@xn--{w(rng)}-{w(rng, 3, 4)}.com",
        f"josé.{w(rng)}@{w(rng)}.es",  # RFC 6531 internationalised local part
        f"{w(rng)}@bücher-{w(rng)}.de",
        f'"{w(rng)} {w(rng)}"@{w(rng)}.com',  # quoted local part with a space
        f"mailto:{w(rng)}@{w(rng)}.com",
        f"{w(rng).title()} {w(rng).title()} <{w(rng)}.{w(rng)}@{w(rng)}.com>",
        f"{w(rng)}@{w(rng)}.com.",  # at the end of a sentence
        f"{w(rng)}'{w(rng)}@{w(rng)}.ie",
    ]
    pos: list[Case] = [("EMAIL", v, "") for v in values]
    neg = [
        f"{w(rng)}@localhost",
        f"ping @{w(rng)} about it",
        f"@app.route('/{w(rng)}')",
        f"@{w(rng)}.setter",
        f"git@github.com:{w(rng)}/{w(rng)}.git",
        f"deploy@{w(rng)}:/var/www/{w(rng)}",
        f"npm install {w(rng)}@{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        f"{w(rng)}@sha256:{rng.getrandbits(128):032x}",
    ]
    return pos, neg


# --- IP addresses --------------------------------------------------------------------------------
def _v4(rng: random.Random) -> str:
    return ".".join(str(rng.randint(0, 255)) for _ in range(4))


def _v6_groups(rng: random.Random) -> list[str]:
    return [f"{rng.getrandbits(16):x}" for _ in range(8)]


def ip_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    g = _v6_groups(rng)
    pos: list[Case] = [
        ("IP_ADDRESS", _v4(rng), ""),
        ("IP_ADDRESS", _v4(rng), ":8443"),
        ("IP_ADDRESS", _v4(rng), "/24"),
        ("IP_ADDRESS", f"http://{_v4(rng)}:8080/health", ""),
        ("IP_ADDRESS", ":".join(g), ""),
        ("IP_ADDRESS", ":".join(x.upper() for x in g), ""),
        ("IP_ADDRESS", ":".join(x.zfill(4) for x in g), ""),
        ("IP_ADDRESS", f"2001:db8:{g[2]}::{g[7]}", ""),
        ("IP_ADDRESS", f"fe80::{g[4]}:{g[5]}:{g[6]}:{g[7]}", "%eth0"),
        ("IP_ADDRESS", "::1", ""),
        ("IP_ADDRESS", f"::ffff:{_v4(rng)}", ""),
        ("IP_ADDRESS", f"64:ff9b::{_v4(rng)}", ""),
        ("IP_ADDRESS", f"2001:db8:{g[1]}:{g[2]}:{g[3]}:{g[4]}:{_v4(rng)}", ""),
        ("IP_ADDRESS", f"[2001:db8::{g[3]}:{g[4]}]:443", ""),
        ("IP_ADDRESS", f"2001:db8:{g[5]}::/48", ""),
        ("IP_ADDRESS", "2001:db8::", ""),
        ("IP_ADDRESS", f"fe80::{g[6]}%25eth0", ""),
        ("IP_ADDRESS", f"::ffff:{g[6]}:{g[7]}", ""),
        ("IP_ADDRESS", f"{g[0]}:{g[1]}::{g[2]}:{g[3]}", ""),
        ("IP_ADDRESS", f"{_v4(rng)}:{rng.randint(1, 65535)}", ""),
    ]
    neg = [
        f"{rng.randint(1, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 99)}",
        f"v{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        f"{rng.randint(256, 999)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{_d(rng, 3)}",
        "std::vector<int>",
        "Foo::Bar::baz()",
        f"sha256:{rng.getrandbits(256):064x}",
        f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
        f"a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
    ]
    return pos, neg


# --- US SSN ----------------------------------------------------------------------------------------
def ssn_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    pos: list[Case] = []
    neg: list[str] = []
    for sep in ("-", " ", "."):
        for _ in range(4):
            area = rng.choice([x for x in range(1, 900) if x != 666])
            pos.append(("SSN", f"{area:03d}{sep}{rng.randint(1, 99):02d}{sep}{rng.randint(1, 9999):04d}", ""))
        for area in ("000", "666"):
            neg.append(f"{area}{sep}{rng.randint(1, 99):02d}{sep}{rng.randint(1, 9999):04d}")
        # 9xx: never an SSN; an IRS ITIN only with its group in 50-65, 70-88, 90-92, 94-99
        itin_group = rng.choice([*range(50, 66), *range(70, 89), 90, 91, 92, *range(94, 100)])
        pos.append(("ITIN", f"{rng.randint(900, 999)}{sep}{itin_group}{sep}{rng.randint(1, 9999):04d}", ""))
        other_group = rng.choice([*range(1, 50), *range(66, 70), 89, 93])
        neg.append(f"{rng.randint(900, 999)}{sep}{other_group:02d}{sep}{rng.randint(1, 9999):04d}")
        neg.append(f"{rng.randint(1, 665):03d}{sep}00{sep}{rng.randint(1, 9999):04d}")
        neg.append(f"{rng.randint(1, 665):03d}{sep}{rng.randint(1, 99):02d}{sep}0000")
        same = str(rng.choice([1, 2, 3, 4, 5, 7, 8]))  # one digit nine times: form filler
        neg.append(f"{same * 3}{sep}{same * 2}{sep}{same * 4}")
    return pos, neg


def ssn_named_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    """Unformatted SSNs: only under their name."""
    pos: list[Case] = []
    for name in ("SSN", "SSN:", "social security number", "ssn="):
        pos.append(
            ("SSN", f"{rng.randint(1, 665):03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}", name)
        )
    # other groupings of the 9 digits, written too; under the name only
    area, group, serial = (
        f"{rng.randint(1, 665):03d}",
        f"{rng.randint(1, 99):02d}",
        f"{rng.randint(1, 9999):04d}",
    )
    pos.append(("SSN", f"{area}-{group}{serial}", "SSN"))
    pos.append(("SSN", f"{area}{group}-{serial}", "SSN"))
    neg = [f"{rng.randint(1, 665):03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}" for _ in range(3)]
    return pos, neg


# --- crypto wallets and MAC addresses -------------------------------------------------------------
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    num = int.from_bytes(data, "big")
    out = ""
    while num:
        num, r = divmod(num, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_address(rng: random.Random, version: int) -> str:
    """A segwit address (BIP-173 bech32 for v0, BIP-350 bech32m for v1+) over a random program."""
    program = rng.randbytes(20 if version == 0 else 32)
    bits, acc, data = 0, 0, [version]
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = [ord(x) >> 5 for x in "bc"] + [0] + [ord(x) & 31 for x in "bc"]
    const = 1 if version == 0 else 0x2BC830A3
    mod = _bech32_polymod(hrp + data + [0] * 6) ^ const
    check = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(_BECH32[d] for d in data + check)


def wallet_mac_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    pos: list[Case] = []
    neg: list[str] = []
    for version_byte in (0x00, 0x05, 0x00, 0x05):  # P2PKH (1...), P2SH (3...)
        addr = base58check(bytes([version_byte]) + rng.randbytes(20))
        pos.append(("CRYPTO_WALLET", addr, ""))
        broken = addr[:-1] + (_B58[(_B58.index(addr[-1]) + 1) % 58])
        neg.append(broken)
    pos.append(("CRYPTO_WALLET", bech32_address(rng, 0), ""))
    pos.append(("CRYPTO_WALLET", bech32_address(rng, 1), ""))
    pos.append(("CRYPTO_WALLET", bech32_address(rng, 0).upper(), ""))  # QR codes carry the upper-case form
    bad = bech32_address(rng, 0).upper()
    neg.append(bad[:-1] + ("Q" if bad[-1] != "Q" else "P"))
    bad = bech32_address(rng, 1)  # one character off: the checksum fails in either case
    neg.append(bad[:-1] + ("q" if bad[-1] != "q" else "p"))
    mac = [rng.getrandbits(8) for _ in range(6)]
    hx = "".join(f"{b:02x}" for b in mac)
    pos += [
        ("MAC_ADDRESS", ":".join(f"{b:02X}" for b in mac), ""),
        ("MAC_ADDRESS", ":".join(f"{b:02x}" for b in mac), ""),
        ("MAC_ADDRESS", "-".join(f"{b:02X}" for b in mac), ""),
        ("MAC_ADDRESS", f"{hx[:4]}.{hx[4:8]}.{hx[8:]}", ""),
        ("MAC_ADDRESS", f"{hx[:4]}.{hx[4:8]}.{hx[8:]}".upper(), ""),
        ("MAC_ADDRESS", "-".join(f"{b:02x}" for b in mac), ""),
    ]
    neg += [
        ":".join(f"{b:02X}" for b in mac[:5]),
        "-".join(f"{b:02x}" for b in mac[:4]),
        f"{rng.getrandbits(160):040x}",
    ]
    return pos, neg


# --- Philippine government ids -------------------------------------------------------------------
def ph_id_cases(rng: random.Random) -> tuple[list[Case], list[str]]:
    d = _d
    pos: list[Case] = [
        ("TIN", f"{d(rng, 3)}-{d(rng, 3)}-{d(rng, 3)}", ""),
        ("TIN", f"{d(rng, 3)}-{d(rng, 3)}-{d(rng, 3)}-{d(rng, 3)}", ""),
        ("TIN", f"{d(rng, 3)}-{d(rng, 3)}-{d(rng, 3)}-{d(rng, 5)}", ""),
        ("SSS", f"{d(rng, 2)}-{d(rng, 7)}-{d(rng, 1)}", ""),
        ("PHILHEALTH", f"{d(rng, 2)}-{d(rng, 9)}-{d(rng, 1)}", ""),
        ("PAGIBIG", f"{d(rng, 4)}-{d(rng, 4)}-{d(rng, 4)}", ""),
    ]
    # unformatted: only with the id's name before it
    named = [
        ("TIN", "TIN", 9),
        ("TIN", "tax identification number", 12),
        ("SSS", "SSS no.", 10),
        ("PHILHEALTH", "PhilHealth PIN", 12),
        ("PAGIBIG", "Pag-IBIG MID", 12),
        ("PAGIBIG", "HDMF", 12),
    ]
    for kind, name, n in named:
        pos.append((kind, str(rng.randint(1, 9)) + d(rng, n - 1), name))
    neg = [str(rng.randint(1, 9)) + d(rng, n - 1) for n in (9, 10, 12)]
    return pos, neg


# --- log-shaped wrappers ---------------------------------------------------------------------------
CONTEXTS = {
    "bare": "{v}",
    "json": '{{"event": "profile.update", "field": "contact", "value": "{v}", "status": 200}}',
    "kv": "2026-03-14T09:12:44Z INFO svc=billing user_ref={v} attempt=2",
    "sentence": "please reach the customer using {v} before the end of the week.",
    "csv": "{n},active,{v},2026-03-14,",
}


def wrap(value: str, ctx: str, suffix: str = "", name: str = "", n: int = 17) -> str:
    shown = (name + " " if name else "") + value + suffix
    return CONTEXTS[ctx].format(v=shown, n=n)


GENERATORS = {
    "IBAN": iban_cases,
    "CARD": card_cases,
    "PHONE": phone_cases,
    "EMAIL": email_cases,
    "IP_ADDRESS": ip_cases,
    "SSN": ssn_cases,
    "WALLET_MAC": wallet_mac_cases,
    "PH_ID": ph_id_cases,
    "PHONE_NAMED": phone_named_cases,
    "SSN_NAMED": ssn_named_cases,
}
NAMED = {"PH_ID", "PHONE_NAMED", "SSN_NAMED"}  # groups whose third field is a name written before the value


def probe(seed: int = 1) -> dict[str, tuple[list[tuple[str, str]], list[str]]]:
    """group -> (positives as (text, value), negatives as texts), every value in every context."""
    out: dict[str, tuple[list[tuple[str, str]], list[str]]] = {}
    for group, gen in GENERATORS.items():
        rng = random.Random(f"{seed}:{group}")
        pos, neg = gen(rng)
        texts = []
        for _kind, value, extra in pos:
            suffix, name = ("", extra) if group in NAMED else (extra, "")
            for ctx in CONTEXTS:
                texts.append((wrap(value, ctx, suffix, name), value))
        negs = [wrap(v, ctx) for v in neg for ctx in CONTEXTS]
        out[group] = (texts, negs)
    return out


def redact(text: str, spans_of: Callable[[str], list[tuple[int, int, str]]] = find_spans) -> str:
    out, pos = [], 0
    for s, e, kind in spans_of(text):
        out.append(text[pos:s])
        out.append(f"<{kind}>")
        pos = e
    out.append(text[pos:])
    return "".join(out)


_PROBE = probe()


@pytest.mark.parametrize("group", sorted(GENERATORS))
def test_generated_values_are_hidden(group: str) -> None:
    texts, _ = _PROBE[group]
    missed = [text for text, value in texts if value in redact(text)]
    assert not missed, missed[:5]


@pytest.mark.parametrize("group", sorted(GENERATORS))
def test_generated_lookalikes_are_kept(group: str) -> None:
    _, negs = _PROBE[group]
    changed = [text for text in negs if redact(text) != text]
    assert not changed, changed[:5]


def test_generators_follow_their_specifications() -> None:
    rng = random.Random(5)
    for country in IBAN_STRUCTURES:
        iban = make_iban(rng, country)
        assert _mod97(iban[4:] + iban[:4]) == 1
        bad = make_iban(rng, country, bad_check=True)
        assert _mod97(bad[4:] + bad[:4]) != 1
    assert luhn_complete("7992739871") == "79927398713"  # the check digit of ISO/IEC 7812's example
    assert base58check(bytes(21)).startswith("1")  # version 0 with a zero hash: P2PKH `1...`
    assert bech32_address(rng, 0).startswith("bc1q") and bech32_address(rng, 1).startswith("bc1p")


def test_number_boundaries_after_commas_and_colons() -> None:
    rng = random.Random(9)
    card = make_card(rng, "4", 16)
    a, b, c = _nanp(rng)
    # CSV fields and key:value / tel: values are values
    assert card not in redact(f"17,active,{card},2026-03-14")
    assert card not in redact(f"pan:{card}")
    assert f"{a}{b}{c}" not in redact(f"tel:+1{a}{b}{c}")
    # thousands groups, clock times and compact JSON numbers keep the old boundary (never a start)
    for text in (f"1,{card}", f"12:{card}", f'{{"bytes":{card}}}'):
        assert redact(text) == text
    # the same number as a quoted JSON string is a value
    assert card not in redact(f'{{"number":"{card}"}}')
