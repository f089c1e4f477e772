"""How a function's run time grows when its input doubles: the linearity checks of the redaction patterns.

A ratio of two timings in one process, best of three each, so machine load mostly cancels out; linear
code gives ~2, a backtracking pattern gives 4 or more on the adversarial inputs the tests build.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(fn: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return best


def growth_ratio(fn: Callable[[str], object], make: Callable[[int], str], n: int = 20_000) -> float:
    """time(make(2n)) / time(make(n))."""
    return best_time(fn, make(2 * n)) / max(best_time(fn, make(n)), 1e-4)
