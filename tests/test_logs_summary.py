"""Log summary: facts (counts, levels, line spans), error ranking, percentiles, bursts, model checks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from aiops_mcp.tools.logs.llm import ASSIST, LogNarrative
from aiops_mcp.tools.logs.models import SummarizeInput
from aiops_mcp.tools.logs.stats import RateCounter, Reservoir, number_of, percentile, slots_of
from aiops_mcp.tools.logs.summary import LogSummarizer, summarize
from aiops_mcp.tools.spec import Rejected

T0 = datetime(2024, 5, 1, 8, 0, 0)


def _log(n: int = 600, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ts = (T0 + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")
        if i % 50 == 7:
            out.append(f"{ts} ERROR db: connection to 10.0.0.{rng.randrange(9)}:5432 refused")
        elif i % 3 == 0:
            ms = 900 if i == 300 else rng.randrange(10, 20)
            out.append(f"{ts} INFO api: request {rng.randrange(10**6)} served in {ms} ms")
        else:
            out.append(f"{ts} DEBUG cache: key user{rng.randrange(99)} refreshed")
    return out


def test_summary_facts_counts_levels_lines() -> None:
    lines = _log()
    s = summarize(lines, max_patterns=2)
    assert s.stats.lines_in == 600
    assert s.stats.patterns == 3
    assert s.stats.patterns_returned == 2 and s.stats.patterns_left_out == 1
    assert s.stats.lines_left_out == 12
    assert s.stats.reduction_ratio == pytest.approx(1 - 3 / 600)
    top = s.patterns[0]
    assert top.template == "key <*> refreshed" and top.level == "DEBUG"
    assert top.count == sum(1 for i in range(600) if i % 50 != 7 and i % 3 != 0)
    assert top.first_line == 2
    assert s.stats.levels["ERROR"] == 12
    assert s.stats.first_timestamp == T0


def test_error_patterns_ranked_and_reasoned() -> None:
    s = summarize(_log())
    assert [e.template for e in s.error_patterns] == ["connection to <*> refused"]
    e = s.error_patterns[0]
    assert e.rank == 1 and e.count == 12 and e.first_line == 8
    assert "level ERROR" in e.reason and "refused" in e.reason
    assert any("reachable" in a for a in s.recommended_actions)


def test_durations_percentiles_and_outliers() -> None:
    s = summarize(_log())
    perf = [p for p in s.performance if p.template == "request <*> served in <*> ms"]
    assert len(perf) == 1
    p = perf[0]
    assert (p.kind == "duration" and p.unit == "ms" and p.name == "in") or p.name == "ms"
    assert p.max == 900 and 10 <= p.p50 <= 20 and p.p95 < 20
    assert p.outliers == 1 and p.outlier_examples == [{"value": 900.0, "line": 301}]


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 95) == 5.0
    r = Reservoir()
    for i in range(10_000):
        r.add(float(i), i)
    assert len(r.sample) <= 1024 and r.count == 10_000 and r.max == 9999
    assert r.top[0] == (9999.0, 9999)


def test_numbers_and_slot_names() -> None:
    assert number_of("12ms,") == (12.0, "ms")
    assert number_of("0x1f") is None and number_of("12abc") is None
    names = [s.name for s in slots_of(["took", "\x00", "ms", "uid=\x00,"])]
    assert names == ["took", "uid"]


def test_bursts_found_over_a_quiet_baseline() -> None:
    rc = RateCounter()
    for minute in range(120):
        rc.add(T0 + timedelta(minutes=minute), 1, False)
    for k in range(300):
        rc.add(T0 + timedelta(minutes=60, seconds=k / 10), 2, True)
    bursts = rc.bursts()
    assert len(bursts) == 1
    b = bursts[0]
    assert b["lines"] >= 300 and b["errors"] == 300 and b["top_templates"][0] == 2
    assert T0 + timedelta(minutes=59) <= b["start"] <= T0 + timedelta(minutes=60)


def test_feed_rows_with_their_own_timestamp_and_level() -> None:
    s = LogSummarizer()
    for i in range(40):
        s.feed(f"job {i} failed: timeout after {i} s", timestamp=T0 + timedelta(seconds=i), level="error")
        s.feed(f"job {i} ok", timestamp=T0 + timedelta(seconds=i), level="info")
    r = s.result()
    assert r.stats.levels == {"ERROR": 40, "INFO": 40}
    assert r.error_patterns[0].template == "job <*> failed: timeout after <*> s"
    assert r.stats.last_timestamp == T0 + timedelta(seconds=39)


def test_progress_is_reported() -> None:
    seen: list[int] = []
    summarize([f"line {i}" for i in range(12_000)], progress=seen.append)
    assert seen == [5000, 10000]


def test_model_answer_checked_against_facts() -> None:
    lines = _log()
    off = summarize(lines)
    inp = SummarizeInput(lines=lines)
    prompt = ASSIST.build_prompt(inp, off)
    assert "<log_facts>" in prompt and "request 1" not in prompt  # templates, never raw lines
    e = off.error_patterns[0]
    good = LogNarrative(
        summary=f"'{e.template}' appeared {e.count} times in {off.stats.lines_in} lines.",
        recommended_actions=["Check the database host."],
        key_template_ids=[e.template_id],
    )
    merged = ASSIST.merge(inp, off, good)
    assert merged.summary.startswith("'connection to <*> refused' appeared 12 times")
    assert merged.patterns == off.patterns
    for bad in (
        LogNarrative(summary="ok", key_template_ids=[4242]),
        LogNarrative(summary="'disk <*> full' appeared"),
        LogNarrative(summary="There were 777 errors."),
    ):
        with pytest.raises(Rejected):
            ASSIST.merge(inp, off, bad)
    assert not ASSIST.confident(off)
