"""Worst-case shapes for the redaction engine: does any input grow faster than its length?

Each shape is a prefix (a context that wakes a detector) followed by one unit repeated to n characters.
Prints JSON: the slowest shapes at the larger size and every shape whose time grew more than 6x for 4x
the input (a quadratic regex or loop; linear growth is ~4x). Reruns are cheap; no data set needed.

    .venv/bin/python bench/redaction_worst.py [--small 4000] [--large 16000] [--top 10]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

from aiops_mcp.server.gateway.redaction import Vault

UNITS = [
    "a", "A", "1", "aB", "a1", "-", "_", ".", "a.", "1.", "1-", "a-", ":", "=", "/", "+", "@", "a@", " ",
    "a ", "\t", "%", "x=", "key=", "pass ", "0x", "ab:", "a:1", "<", "<a", '"', "'", "\\", "sk-", "eyJ",
    "==", "A1b2", "://", "a:b@", "-----", "\n", "a\n", "1 ", "+63", "09", "DE89", "(", "[", "{", ")", ";",
]  # fmt: skip
PREFIXES = [
    "", "api_key=", "password: ", "token ", "Authorization: Bearer ", "postgres://u:", '"secret": "',
    "-----BEGIN RSA PRIVATE KEY-----\n", "tel ", "iban ",
]  # fmt: skip


def best_ms(text: str, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        Vault().redact(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", type=int, default=4000)
    p.add_argument("--large", type=int, default=16000)
    p.add_argument("--top", type=int, default=10)
    opts = p.parse_args()
    rows = []
    for prefix, unit in itertools.product(PREFIXES, UNITS):
        small = best_ms(prefix + unit * (opts.small // len(unit)) + "B!")
        large = best_ms(prefix + unit * (opts.large // len(unit)) + "B!")
        rows.append(
            {
                "prefix": prefix,
                "unit": unit,
                "ms_small": round(small, 3),
                "ms_large": round(large, 3),
                "growth": round(large / max(small, 1e-3), 2),
            }
        )
    size_ratio = opts.large / opts.small
    superlinear = [r for r in rows if r["growth"] > 1.5 * size_ratio and r["ms_large"] > 5]
    slowest = sorted(rows, key=lambda r: -r["ms_large"])[: opts.top]
    print(
        json.dumps(
            {
                "shapes": len(rows),
                "sizes": [opts.small, opts.large],
                "slowest": slowest,
                "superlinear": superlinear,
                "worst_MB_per_s_at_large": round(opts.large / 1e6 / (slowest[0]["ms_large"] / 1000), 3),
                "met": not superlinear,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
