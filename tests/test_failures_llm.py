"""Model half of analyze_failure: the answer is merged, and the offline facts stand where they clash."""

from __future__ import annotations

import pytest

from aiops_mcp.tools.failures.engine import analyze_failure
from aiops_mcp.tools.failures.llm import ASSIST, FailureAnswer
from aiops_mcp.tools.failures.models import FailureInput
from aiops_mcp.tools.spec import Rejected


def _inp(error: str, retry_count: int = 0, max_retries: int = 3) -> FailureInput:
    return FailureInput(error=error, retry_count=retry_count, max_retries=max_retries)


def test_confident_offline_result_skips_the_model_and_prompt_fences_data() -> None:
    inp = _inp("psycopg2.errors.DeadlockDetected: deadlock detected")
    offline = analyze_failure(inp)
    assert ASSIST.confident(offline)
    prompt = ASSIST.build_prompt(inp, offline)
    assert "<data>" in prompt and "deadlock detected" in prompt and "pg.40P01" in prompt


def test_model_contradicting_a_recognised_error_class_is_overruled() -> None:
    inp = _inp("psycopg2.errors.DeadlockDetected: deadlock detected")
    offline = analyze_failure(inp)
    answer = FailureAnswer(
        category="permanent", root_cause="code", reason="bad SQL", suggested_fix="rewrite", confidence=0.9
    )
    merged = ASSIST.merge(inp, offline, answer)
    assert (merged.category, merged.root_cause, merged.should_retry) == ("transient", "infra", True)
    assert merged.suggested_fix == offline.suggested_fix


def test_model_decides_where_offline_has_no_rule_and_budget_still_applies() -> None:
    inp = _inp("WeirdVendorFault: code 77 from the ledger", retry_count=2, max_retries=2)
    offline = analyze_failure(inp)
    assert offline.category == "unknown"
    answer = FailureAnswer(
        category="transient",
        root_cause="external",
        reason="vendor busy",
        suggested_fix="Requeue after the vendor's maintenance window.",
        retry_after_seconds=60,
        confidence=0.95,
    )
    merged = ASSIST.merge(inp, offline, answer)
    assert (merged.category, merged.root_cause) == ("transient", "external")
    assert merged.should_retry is False and merged.retry_after_seconds is None  # retries exhausted
    assert merged.confidence <= 0.85


def test_stated_wait_beats_the_models_guess() -> None:
    inp = _inp("Error 999 from partner: please try again in 45 seconds")
    offline = analyze_failure(inp)
    answer = FailureAnswer(
        category="transient",
        root_cause="external",
        reason="busy",
        suggested_fix="wait",
        retry_after_seconds=5,
        confidence=0.7,
    )
    merged = ASSIST.merge(inp, offline, answer)
    assert merged.should_retry and merged.retry_after_seconds == 45


def test_empty_answer_is_rejected() -> None:
    inp = _inp("Something odd")
    answer = FailureAnswer(
        category="transient", root_cause="external", reason=" ", suggested_fix="", confidence=0.5
    )
    with pytest.raises(Rejected):
        ASSIST.merge(inp, analyze_failure(inp), answer)
