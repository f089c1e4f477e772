"""IP addresses in every RFC 4291 / RFC 5952 text form, with Python's `ipaddress` as the oracle.

Random addresses are written full, with leading zeros, upper case, compressed at the start, middle
and end, with an embedded IPv4 address, a zone id, a prefix length, in brackets with a port and in
URLs, then put in log, JSON and prose contexts. Every address must be hidden (the prefix length and
port may stay). Look-alikes (clock times, ratios, C++/Rust paths, versions, OIDs, bad octets, too
many groups) must stay untouched.

Span policy: the address itself; `/64`, `%eth0` and `:8080` after it are not personal data and stay.
A fifth dotted number after an address (`192.168.1.1.1`) leaves the address hidden when its first
octet has two or more digits; `1.2.3.4.5` and OIDs (`1.3.6.1.4.1...`) are versions and ids.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction.engine import find_spans

Rng = random.Random


def _g(rng: Rng) -> str:
    return f"{rng.getrandbits(16):x}"


def _v4(rng: Rng) -> str:
    return ".".join(str(rng.randint(0, 255)) for _ in range(4))


def _comp(rng: Rng, left: int, right: int) -> str:
    return ":".join(_g(rng) for _ in range(left)) + "::" + ":".join(_g(rng) for _ in range(right))


# form -> (value written, the address inside it)
FORMS: dict[str, Callable[[Rng], tuple[str, str]]] = {
    "full": lambda r: (a := ":".join(_g(r) for _ in range(8)), a),
    "leading_zeros": lambda r: (a := ":".join(f"{r.getrandbits(16):04x}" for _ in range(8)), a),
    "upper": lambda r: (a := ":".join(_g(r) for _ in range(8)).upper(), a),
    "compressed_start": lambda r: (a := _comp(r, 0, r.randint(1, 6)), a),
    "compressed_middle": lambda r: (a := _comp(r, r.randint(1, 3), r.randint(1, 3)), a),
    "compressed_end": lambda r: (a := _comp(r, r.randint(1, 6), 0), a),
    "v4_mapped": lambda r: (a := "::ffff:" + _v4(r), a),
    "v4_nat64": lambda r: (a := "64:ff9b::" + _v4(r), a),
    "v4_full": lambda r: (a := ":".join(_g(r) for _ in range(6)) + ":" + _v4(r), a),
    "zone": lambda r: ((a := f"fe80::{_g(r)}:{_g(r)}") + "%eth0", a),
    "zone_encoded": lambda r: ((a := f"fe80::{_g(r)}") + "%25en0", a),
    "prefix": lambda r: ((a := _comp(r, 3, 0)) + f"/{r.choice([32, 48, 56, 64])}", a),
    "bracket_port": lambda r: (f"[{(a := _comp(r, 2, 2))}]:{r.randint(1, 65535)}", a),
    "url": lambda r: (f"https://[{(a := _comp(r, 2, 1))}]:8443/api", a),
    "v4": lambda r: (a := _v4(r), a),
    "v4_port": lambda r: ((a := _v4(r)) + f":{r.randint(1, 65535)}", a),
    "v4_prefix": lambda r: ((a := _v4(r)) + f"/{r.randint(8, 32)}", a),
    "v4_url": lambda r: (f"http://{(a := _v4(r))}:8080/health", a),
    "v4_fifth_part": lambda r: (
        (a := f"{r.randint(10, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}.1") + ".1",
        a,
    ),
}
CONTEXTS = [
    "{v}",
    "Accepted publickey for deploy from {v} port 52144 ssh2",
    "upstream={v}, retry=2",
    '{{"client_ip": "{v}", "status": 502}}',
    "connect({v}) failed",
    "my ip: {v}.",
    "peer [{v}] closed",
    "'{v}'",
]


def hidden(text: str, address: str) -> bool:
    spans = find_spans(text)
    s = text.index(address)
    return all(
        any(a <= i < b for a, b, _ in spans) for i in range(s, s + len(address)) if text[i] not in ":."
    )


@pytest.mark.parametrize("form", sorted(FORMS))
def test_generated_addresses_are_hidden(form: str) -> None:
    rng = random.Random(f"ip:{form}")
    missed = []
    for _ in range(20):
        value, address = FORMS[form](rng)
        ipaddress.ip_address(address)  # the generator writes valid addresses only
        missed += [t for c in CONTEXTS if not hidden(t := c.format(v=value), address)]
    assert not missed, missed[:5]


@pytest.mark.parametrize(
    "text",
    [
        "at 12:34:56 and 12:34:56.789",
        "ratio 1:2:3:4 and 16:9",
        "std::vector<int> v; Foo::Bar::baz();",
        "use crate::module::Item;",
        "MyClass::toString",
        "version 1.2.3, build 1.2.3.4.5, kernel 4.19.0.25.1",
        "oid 1.3.6.1.4.1.2021.10.1.3.1",
        "3.10.0.1160.el7.x86_64",
        "256.1.1.1 and 1.2.3.256",
        "1:2:3:4:5:6:7:8:9",
        "2001::db8::1",
        "12345::1 and gggg::1",
        ":::",
        "port 80:443",
        "file:///var/log/syslog",
        "pairs = key[0::2]",
    ],
)
def test_lookalikes_are_kept(text: str) -> None:
    assert find_spans(text) == [], text


@pytest.mark.parametrize(
    "mac", ["FF:FF:FF:FF:FF:FF", "ff-ff-ff-ff-ff-ff", "ffff.ffff.ffff", "00:00:00:00:00:00"]
)
def test_broadcast_and_null_macs_are_kept(mac: str) -> None:
    # constants of the protocol, no device's address
    text = f"dst {mac} (broadcast)"
    assert find_spans(text) == []


@pytest.mark.parametrize("seed", range(5))
def test_device_macs_are_hidden_in_three_notations(seed: int) -> None:
    rng = random.Random(seed)
    octets = [f"{rng.getrandbits(8):02X}" for _ in range(6)]
    octets[0] = "0" + octets[0][1]  # never all ones
    h = "".join(octets).lower()
    for mac in (":".join(octets), "-".join(octets), f"{h[:4]}.{h[4:8]}.{h[8:]}"):
        text = f"Physical address is {mac}"
        assert find_spans(text) == [(20, 20 + len(mac), "MAC_ADDRESS")], text
