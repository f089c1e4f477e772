"""Ethereum addresses in EIP-55 mixed case: `0x` + 40 hex whose letter case is the Keccak-256 checksum.

Keccak-256 is checked on the Keccak team's published vectors; addresses are random 160-bit values
checksummed here. Lower- or upper-case-only `0x` + 40 hex carries no checksum and is as often a
SHA-1 or a transaction/contract hash in logs: kept, as is a checksummed address with one letter's
case flipped.
"""

from __future__ import annotations

import random

import pytest

from aiops_mcp.server.gateway.redaction.engine import find_spans
from aiops_mcp.server.gateway.redaction.validators import eip55_ok, keccak256


def test_keccak256_published_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    # more than one 136-byte block
    assert keccak256(b"a" * 300) != keccak256(b"a" * 299)


def checksummed(hex40: str) -> str:
    digest = keccak256(hex40.encode("ascii")).hex()
    return "".join(c.upper() if c.isalpha() and digest[i] >= "8" else c for i, c in enumerate(hex40))


def address(rng: random.Random) -> str:
    while True:
        body = checksummed(f"{rng.getrandbits(160):040x}")
        if body.lower() != body and body.upper() != body:  # mixed case (nearly always)
            return "0x" + body


@pytest.mark.parametrize("seed", range(10))
def test_checksummed_addresses_are_hidden(seed: int) -> None:
    rng = random.Random(seed)
    a, b = address(rng), address(rng)
    assert eip55_ok(a[2:])
    for text, values in [
        (a, [a]),
        (f"My wallet is {a}", [a]),
        (f'{{"to": "{a}", "from": "{b}", "value": 12}}', [a, b]),
        (f"transfer from {a} to {b} — confirmé", [a, b]),  # a line with non-ASCII letters
    ]:
        spans = find_spans(text)
        for v in values:
            s = text.index(v)
            assert (s, s + 42, "CRYPTO_WALLET") in spans, text


@pytest.mark.parametrize("seed", range(10))
def test_unchecked_hex_is_kept(seed: int) -> None:
    rng = random.Random(seed)
    a = address(rng)
    k = next(i for i, c in enumerate(a) if i > 1 and c.isalpha())
    flipped = a[:k] + a[k].swapcase() + a[k + 1 :]
    for text in (
        "commit 0x" + a[2:].lower(),
        "key 0x" + a[2:].upper(),
        f"bad {flipped}",
        f"short {a[:-1]}",
        f"long {a}0",
        f"name_{a}",
        f"{a}_suffix",
    ):
        assert find_spans(text) == [], text
