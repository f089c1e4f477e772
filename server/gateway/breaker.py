"""A circuit breaker per model, so a dead model costs nothing on the next calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

State = Literal["closed", "open", "half_open"]


@dataclass
class _ModelState:
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False


class BreakerBoard:
    """Closed → open after `threshold` consecutive failures → half-open after `cooldown_s` (one trial call)."""

    def __init__(
        self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._models: dict[str, _ModelState] = {}

    def state(self, model: str) -> State:
        st = self._models.get(model)
        if st is None or st.opened_at is None:
            return "closed"
        if self._clock() - st.opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self, model: str) -> bool:
        """May this model be called now? In half-open state only one trial call at a time."""
        state = self.state(model)
        if state == "closed":
            return True
        if state == "open":
            return False
        st = self._models[model]
        if st.trial_in_flight:
            return False
        st.trial_in_flight = True
        return True

    def record_success(self, model: str) -> None:
        self._models.pop(model, None)

    def record_failure(self, model: str) -> None:
        st = self._models.setdefault(model, _ModelState())
        st.trial_in_flight = False
        st.failures += 1
        if st.opened_at is not None or st.failures >= self.threshold:
            st.opened_at = self._clock()

    def release(self, model: str) -> None:
        """A half-open trial ended without a verdict on the model (e.g. the caller's deadline)."""
        st = self._models.get(model)
        if st is not None:
            st.trial_in_flight = False

    def snapshot(self) -> dict[str, State]:
        return {model: self.state(model) for model in self._models}

    # The interface the gateway calls, shared with the Redis-backed board (shared_state.py), whose
    # verdicts need I/O. Here they are the sync methods: no await point, so no race between callers.
    async def aallow(self, model: str) -> bool:
        return self.allow(model)

    async def arecord_success(self, model: str) -> None:
        self.record_success(model)

    async def arecord_failure(self, model: str) -> None:
        self.record_failure(model)

    async def arelease(self, model: str) -> None:
        self.release(model)

    async def aclose(self) -> None:
        return None
