"""Incident prediction: the streaming detector, the `metrics score` contract, the engine, the model half."""

from __future__ import annotations

import importlib.util
import io
import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from aiops_mcp.tools.incidents.cli import run_score
from aiops_mcp.tools.incidents.detector import StreamingDetector
from aiops_mcp.tools.incidents.engine import DETECTION_THRESHOLD, EVENTS_METRIC, predict
from aiops_mcp.tools.incidents.llm import ASSIST, IncidentNarrative
from aiops_mcp.tools.incidents.models import EventIn, MetricSeries, PredictInput
from aiops_mcp.tools.spec import Rejected

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _series(n: int, f, *, seed: int = 7, step_s: int = 60) -> list[tuple[datetime, float]]:
    rng = random.Random(seed)
    return [(T0 + timedelta(seconds=i * step_s), f(i, rng)) for i in range(n)]


def _scores(points: list[tuple[datetime, float]]) -> list[float]:
    det = StreamingDetector()
    return [det.update(t, v)[0] for t, v in points]


def _metric(name: str, points: list[tuple[datetime, float]]) -> MetricSeries:
    return MetricSeries(name=name, points=[{"timestamp": t, "value": v} for t, v in points])


# ---------------------------------------------------------------- detector


def test_detector_is_past_only_and_deterministic() -> None:
    pts = _series(800, lambda i, r: 50 + r.gauss(0, 3) + (40 if 600 <= i < 620 else 0))
    full = _scores(pts)
    assert full == _scores(pts)  # deterministic
    for cut in (150, 601, 700):
        assert _scores(pts[:cut]) == full[:cut]  # a prefix run gives the same scores
    assert all(0.0 <= s <= 1.0 for s in full)


def test_detector_flags_a_spike_far_above_noise() -> None:
    pts = _series(800, lambda i, r: 50 + r.gauss(0, 3) + (60 if i == 600 else 0))
    scores = _scores(pts)
    assert scores[600] > 0.8
    assert max(scores[200:600]) < scores[600]
    assert max(scores[601:]) < scores[600]  # one alarm per incident, not a burst


def test_detector_survives_flat_and_non_finite_values() -> None:
    det = StreamingDetector()
    out = [det.update(T0 + timedelta(minutes=i), v) for i, v in enumerate([0.0] * 300 + [float("nan"), 5.0])]
    assert all(0.0 <= s <= 1.0 for s, _ in out)
    assert out[-1][0] > 0.5  # the first non-zero value after a flat line is news


def test_detector_flags_activity_resuming_after_an_unusually_long_flat_stretch() -> None:
    """The wake view: the end of a flat run longer than any before it; ordinary idles stay quiet."""

    def idle(i: int) -> bool:  # 50-point idles every 300 points, then one 150-point idle
        return (i < 1500 and 200 <= i % 300 < 250) or 1700 <= i < 1850

    pts = _series(2000, lambda i, r: 0.0 if idle(i) else 10 + r.gauss(0, 1), step_s=300)
    det = StreamingDetector()
    scores, wake = [], []
    for t, v in pts:
        scores.append(det.update(t, v)[0])
        wake.append(det.last_ratios.get("wake", 0.0))
    assert scores[1850] >= DETECTION_THRESHOLD and wake[1850] > 2.0
    # the same idle as before ending again is routine, whatever the other views say
    assert all(scores[i] < DETECTION_THRESHOLD for i in (550, 850, 1150, 1450))
    assert max(wake[560:1850]) < 1.1


def test_detector_wake_view_is_silent_on_a_noisy_series() -> None:
    det = StreamingDetector()
    for t, v in _series(1500, lambda i, r: 40 + r.gauss(0, 2)):
        det.update(t, v)
        assert det.last_ratios.get("wake", 0.0) == 0.0


def test_detector_eta_toward_a_limit() -> None:
    det = StreamingDetector(limit=1000.0)
    eta = None
    for i in range(400):  # +2 per minute from 200: the limit is 800 points away at the end
        _, eta = det.update(T0 + timedelta(minutes=i), 200 + (2 * (i - 200) if i > 200 else 0))
    assert eta is not None
    assert 0.5 * 20_400 < eta < 2 * 20_400  # (1000 - 600) / 2 per minute = 200 min


# ---------------------------------------------------------------- `metrics score`


def test_run_score_emits_one_json_line_per_point() -> None:
    pts = _series(300, lambda i, r: 10 + r.random())
    inp = json.dumps([{"timestamp": t.strftime("%Y-%m-%d %H:%M:%S"), "value": v} for t, v in pts])
    out = io.StringIO()
    run_score(io.StringIO(inp), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 300
    assert all(0.0 <= r["anomaly_score"] <= 1.0 for r in rows)
    assert all(set(r) <= {"anomaly_score", "time_to_incident_s"} for r in rows)


def test_run_score_accepts_json_lines_and_zulu_times() -> None:
    lines = "\n".join(
        json.dumps({"timestamp": f"2026-03-01T00:{i:02d}:00Z", "value": i % 3}) for i in range(40)
    )
    out = io.StringIO()
    run_score(io.StringIO(lines), out)
    assert len(out.getvalue().splitlines()) == 40
    empty = io.StringIO()
    run_score(io.StringIO(""), empty)
    assert empty.getvalue() == ""


def _load_scorer(shared_dir):
    spec = importlib.util.spec_from_file_location(
        "incident_score", shared_dir / "scorers" / "incident_score.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_nab_development_series_score(shared_dir) -> None:
    """Regression guard on the development series (bench/incidents.py reports the full figures)."""
    isc = _load_scorer(shared_dir)
    corpus = isc.load_corpus(str(shared_dir / "data" / "incidents" / "nab"))
    preds = {}
    for name, s in corpus.items():
        det = StreamingDetector()
        scores = [det.update(t, v)[0] for t, v in zip(s.ts, s.values, strict=True)]
        preds[name] = (scores, [None] * len(scores))
    result = isc.evaluate(corpus, preds)
    assert result["profiles"]["standard"]["score"] >= 76.0
    assert result["profiles"]["reward_low_FP_rate"]["score"] >= 71.0


# ---------------------------------------------------------------- engine


def _incident_fixture() -> tuple[list[MetricSeries], list[EventIn]]:
    lat = _series(360, lambda i, r: 120 + r.gauss(0, 4) + (400 if 320 <= i < 326 else 0), seed=1)
    err = _series(360, lambda i, r: 0.01 + abs(r.gauss(0, 0.002)) + (0.2 if 321 <= i < 327 else 0), seed=2)
    db = _series(360, lambda i, r: 30 + r.gauss(0, 1) + (50 if 320 <= i < 330 else 0), seed=3)
    cpu = _series(360, lambda i, r: 40 + r.gauss(0, 2), seed=4)
    events = [
        EventIn(
            timestamp=T0 + timedelta(minutes=321, seconds=10 * k),
            level="error",
            message=f"timeout calling db after {1000 + k}ms",
            source="worker",
        )
        for k in range(12)
    ]
    events += [
        EventIn(timestamp=T0 + timedelta(minutes=m), level="info", message="ok") for m in range(0, 360, 7)
    ]
    return [
        _metric("api_latency_ms", lat),
        _metric("error_rate", err),
        _metric("db_connections", db),
        _metric("cpu_percent", cpu),
    ], events


def test_simultaneous_anomalies_and_error_burst_become_one_correlated_prediction() -> None:
    metrics, events = _incident_fixture()
    result = predict(metrics, events)
    correlated = [p for p in result.predictions if p.kind == "correlated"]
    assert len(correlated) == 1
    top = result.predictions[0]
    assert top is correlated[0]
    assert set(top.metrics) == {"api_latency_ms", "error_rate", "db_connections", EVENTS_METRIC}
    assert top.severity == "critical"
    assert top.started_at == T0 + timedelta(minutes=320)
    # none of its parts is reported again on its own
    assert not [
        p for p in result.predictions if p.kind == "anomaly" and p.started_at >= T0 + timedelta(minutes=319)
    ]
    assert "cpu_percent" not in {m for p in result.predictions for m in p.metrics}
    assert "CRITICAL correlated" in result.summary
    assert result.meta.engine == "offline"


def test_queue_growing_toward_its_limit_gives_time_to_incident() -> None:
    # steady at 100, then +12 per minute for the last hour: 820 now, limit 2000 -> about 98 min
    q = _series(360, lambda i, r: 100 + r.gauss(0, 3) + max(0, i - 300) * 12, seed=5)
    result = predict([_metric("queue_depth", q)], [], limits={"queue_depth": 2000})
    trend = next(p for p in result.predictions if p.kind == "trend")
    assert trend.metrics == ["queue_depth"]
    assert trend.time_to_incident_seconds is not None
    assert 60 * 60 < trend.time_to_incident_seconds < 140 * 60
    assert trend.severity == "medium"
    near = predict([_metric("queue_depth", q)], [], limits={"queue_depth": 900})
    trend = next(p for p in near.predictions if p.kind == "trend")
    assert trend.severity == "critical" and trend.time_to_incident_seconds < 15 * 60
    assert near.predictions[0] is trend  # the most urgent first


def test_error_rate_limit_is_inferred_from_name_and_range() -> None:
    e = _series(200, lambda i, r: 0.02 + i * 0.004 + r.gauss(0, 0.002), seed=6)
    result = predict([_metric("job_error_rate", e)], [])
    trend = next(p for p in result.predictions if p.kind == "trend")
    assert trend.time_to_incident_seconds is not None  # toward 1.0 (100% errors)


def test_level_shift_is_a_change_point() -> None:
    s = _series(300, lambda i, r: (20 if i < 200 else 45) + r.gauss(0, 1), seed=8, step_s=300)
    result = predict([_metric("worker_memory_mb", s)], [])
    kinds = {p.kind for p in result.predictions}
    assert kinds & {"changepoint", "anomaly"}
    shift = next(p for p in result.predictions if p.kind in ("changepoint", "anomaly"))
    assert abs((shift.started_at - (T0 + timedelta(seconds=200 * 300))).total_seconds()) <= 3 * 300


def test_quiet_series_predicts_nothing_urgent() -> None:
    s = _series(500, lambda i, r: 40 + r.gauss(0, 2), seed=9)
    result = predict([_metric("cpu_percent", s)], [EventIn(timestamp=T0, level="info", message="started")])
    assert not [p for p in result.predictions if p.severity in ("critical", "high")]


def test_as_of_ignores_later_points_and_naive_times_are_utc() -> None:
    naive = [
        (t.replace(tzinfo=None), v)
        for t, v in _series(360, lambda i, r: 5 + r.gauss(0, 0.5) + (30 if i >= 340 else 0), seed=10)
    ]
    before = predict([_metric("latency_ms", naive)], [], as_of=T0 + timedelta(minutes=330))
    assert not before.predictions or all(
        p.started_at <= T0 + timedelta(minutes=330) for p in before.predictions
    )
    after = predict([_metric("latency_ms", naive)], [])
    assert any(p.started_at >= T0 + timedelta(minutes=339) for p in after.predictions)


def test_empty_input_gives_an_empty_answer() -> None:
    result = predict([], [])
    assert result.predictions == [] and "No incident" in result.summary


# ---------------------------------------------------------------- model half


def test_prompt_has_detections_and_statistics_not_the_series() -> None:
    metrics, events = _incident_fixture()
    metrics[3].points[100].value = 41.123456789  # a mid-series value: neither min, max, mean nor last
    offline = predict(metrics, events)
    inp = PredictInput(metrics=metrics, events=events)
    prompt = ASSIST.build_prompt(inp, offline)
    assert "41.123456789" not in prompt and "41.1234" not in prompt
    assert "api_latency_ms" in prompt and "correlated" in prompt
    assert "<metric_statistics>" in prompt


def test_merge_rejects_invented_metrics_and_keeps_offline_predictions() -> None:
    metrics, events = _incident_fixture()
    offline = predict(metrics, events)
    inp = PredictInput(metrics=metrics, events=events)
    good = IncidentNarrative(
        summary="api_latency_ms and error_rate spiked together with worker timeouts.",
        metrics_mentioned=["api_latency_ms", "error_rate"],
    )
    merged = ASSIST.merge(inp, offline, good)
    assert merged.summary.startswith("api_latency_ms")
    assert merged.predictions == offline.predictions
    with pytest.raises(Rejected):
        ASSIST.merge(
            inp, offline, IncidentNarrative(summary="disk_io_wait is saturating.", metrics_mentioned=[])
        )
    with pytest.raises(Rejected):
        ASSIST.merge(inp, offline, IncidentNarrative(summary="All fine.", metrics_mentioned=["memory_rss"]))
    assert not ASSIST.confident(offline)  # a critical finding is worth a narrative


def test_a_step_near_the_limit_is_a_change_point_not_a_trend() -> None:
    cpu = _series(400, lambda i, r: (35 if i < 330 else 97) + r.gauss(0, 1), seed=11, step_s=300)
    result = predict([_metric("cpu_utilization", cpu)], [])
    assert not [p for p in result.predictions if p.kind == "trend"]
    top = result.predictions[0]
    assert top.kind == "changepoint" and top.severity == "high"
    assert any("limit 100" in e for e in top.evidence)  # percent metrics end at 100


def test_an_episode_long_over_is_reported_low() -> None:
    s = _series(2000, lambda i, r: 50 + r.gauss(0, 2) + (60 if 300 <= i < 305 else 0), seed=12)
    result = predict([_metric("api_latency_ms", s)], [])
    old = [p for p in result.predictions if p.started_at < T0 + timedelta(minutes=310)]
    assert old and all(p.severity == "low" for p in old)
    assert any("before the analysis time" in e for p in old for e in p.evidence)


def test_run_score_survives_bad_rows_and_mixed_time_formats() -> None:
    rows = [
        {"timestamp": "2026-03-01 00:00:00", "value": 1},
        {"value": None},
        {"timestamp": "not a time", "value": "x"},
        {"timestamp": 1772323380, "value": 2},
        {"timestamp": "2026-03-01T00:05:00+02:00", "value": 3},
    ]
    out = io.StringIO()
    run_score(io.StringIO(json.dumps(rows)), out)
    assert [json.loads(line)["anomaly_score"] for line in out.getvalue().splitlines()] == [0.0] * 5


def test_error_burst_baseline_excludes_the_burst_itself() -> None:
    events = [
        EventIn(timestamp=T0 + timedelta(minutes=m), level="error", message="disk full", source="etl")
        for m in range(0, 300, 60)
    ]  # one error an hour: the usual rate
    events += [
        EventIn(
            timestamp=T0 + timedelta(minutes=270, seconds=10 * k),
            level="failed",
            message=f"job {k} failed: connection reset",
            source="etl",
        )
        for k in range(15)
    ]
    metric = _metric("cpu_percent", _series(300, lambda i, r: 40 + r.gauss(0, 1), seed=13))
    result = predict([metric], events)
    burst = next(p for p in result.predictions if p.metrics == [EVENTS_METRIC])
    assert burst.started_at == T0 + timedelta(minutes=270)
    assert "15 error events from etl" in burst.evidence[0]
    assert "usual 0.1 per 5 min" in burst.evidence[0]
    assert burst.severity == "high"


def test_a_metric_stuck_at_one_value_is_reported() -> None:
    # a dead exporter repeats its last reading: no level change, no spike, just no movement
    s = _series(360, lambda i, r: 50 + r.gauss(0, 3) if i < 320 else 0.0, seed=14)
    last = s[319][1]
    s = [(t, v if i < 320 else last) for i, (t, v) in enumerate(s)]
    result = predict([_metric("worker_heartbeat_lag_s", s)], [])
    stuck = [p for p in result.predictions if any("stuck at" in e for e in p.evidence)]
    assert len(stuck) == 1 and stuck[0].started_at == T0 + timedelta(minutes=319)
