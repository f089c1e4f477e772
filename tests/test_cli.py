"""The `aiops-mcp` command line, run as a user would: a real process, stdin and stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI

CLI = [sys.executable, "-m", "aiops_mcp.server.cli"]


def run(args: list[str], *, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None):
    full_env = {**os.environ, "AIOPS_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120
    )


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.responder = lambda body: json.dumps({"reply": "OK"})
    yield server
    server.stop()


def test_call_prints_structured_result_as_json(tmp_path: Path) -> None:
    out = run(["call", "analyze_failure", '{"error": "ECONNRESET while calling https://api.example.com"}'])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["category"] in {"transient", "permanent", "unknown"} and data["meta"]["engine"] == "offline"


def test_call_reads_arguments_from_stdin_and_file(tmp_path: Path) -> None:
    args = {"text": "mail maria@acme.ph"}
    (tmp_path / "a.json").write_text(json.dumps(args))
    from_stdin = run(["call", "redact_text", "-"], stdin=json.dumps(args))
    from_file = run(["call", "redact_text", f"@{tmp_path / 'a.json'}"])
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)
    assert "maria@acme.ph" not in from_stdin.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["call", "no_such_tool", "{}"], "unknown tool"),
        (["call", "analyze_failure", "{not json"], "not valid JSON"),
        (["call", "analyze_failure", "[1, 2]"], "JSON object"),
        (["call", "analyze_failure", '{"retry_count": "x", "error": "e"}'], "retry_count"),
    ],
)
def test_call_errors_are_one_clear_line(args: list[str], needle: str) -> None:
    out = run(args)
    assert out.returncode != 0
    assert needle in out.stderr and "Traceback" not in out.stderr


def test_redact_jsonl_round_trip() -> None:
    lines = [
        {"id": "a", "text": "token ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"},
        {"id": "b", "text": "nothing"},
    ]
    out = run(["redact", "--jsonl"], stdin="\n".join(json.dumps(line) for line in lines) + "\n")
    got = [json.loads(line) for line in out.stdout.splitlines()]
    assert [g["id"] for g in got] == ["a", "b"]
    assert "ghp_" not in got[0]["text"] and got[1]["text"] == "nothing"


def test_redact_jsonl_bad_lines_are_named_skipped_and_never_echoed() -> None:
    """A line that is not a JSON object costs only itself: one clear stderr line (its number, not its
    content, which may be the secret), the other lines are written, and the exit status says so."""
    secret = "ghp_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"
    stdin = (
        json.dumps({"id": "a", "text": "mail ana@example.com"})
        + "\n"
        + f"token {secret} (not json)\n"
        + "[1, 2]\n"
        + json.dumps({"id": "b", "text": "nothing"})
        + "\n"
    )
    out = run(["redact", "--jsonl"], stdin=stdin)
    assert out.returncode == 1
    assert [json.loads(line) for line in out.stdout.splitlines()] == [
        {"id": "a", "text": "mail <EMAIL_1>"},
        {"id": "b", "text": "nothing"},
    ]
    assert "line 2: skipped, not JSON" in out.stderr and "line 3: skipped, a JSON list" in out.stderr
    assert secret not in out.stderr + out.stdout and "Traceback" not in out.stderr


def test_redact_survives_bytes_and_characters_utf8_cannot_carry() -> None:
    """Invalid UTF-8 on stdin and lone surrogates from JSON escapes do not stop the filter: JSONL output
    carries them as JSON escapes (every line still parses), plain output passes the bytes through."""
    proc = subprocess.run(
        [*CLI, "redact", "--jsonl"],
        input=b'{"id": "1", "text": "\\ud800 ana@example.com"}\n{"id": "2", "text": "\xff ana@example.com"}\n',
        capture_output=True,
        env={**os.environ, "AIOPS_OFFLINE": "1"},
        timeout=120,
    )
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    got = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert got == [{"id": "1", "text": "\ud800 <EMAIL_1>"}, {"id": "2", "text": "\udcff <EMAIL_1>"}]
    plain = subprocess.run(
        [*CLI, "redact"],
        input=b"plain \xff ana@example.com",
        capture_output=True,
        env={**os.environ, "AIOPS_OFFLINE": "1"},
        timeout=120,
    )
    assert plain.returncode == 0 and plain.stdout == b"plain \xff <EMAIL_1>"


def test_redact_sample_job_payload_hides_tin_dsn_and_github_token() -> None:
    payload = json.dumps(
        {
            "vendor": {"name": "Acme", "tin": "123-456-789-000"},
            "target": "postgresql://ledger:Pa55w0rd@db.acme.internal:5432/books",
            "github_token": "ghp_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8",
        }
    )
    out = run(["redact"], stdin=payload)
    assert out.returncode == 0
    for secret in ("123-456-789-000", "Pa55w0rd", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"):
        assert secret not in out.stdout


def test_logs_parse_one_template_per_line_in_order() -> None:
    lines = [f"Received block blk_{i} of size {1000 + i} from 10.0.0.{i}" for i in range(5)] + [
        "Shutting down"
    ]
    out = run(["logs", "parse", "--content-only"], stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 6
    assert len({r["template_id"] for r in rows[:5]}) == 1 and rows[5]["template_id"] != rows[0]["template_id"]
    assert "<*>" in rows[0]["template"]


def test_metrics_score_one_score_per_point() -> None:
    series = [
        {"timestamp": f"2024-01-01T00:{i:02d}:00", "value": 10.0 + (50 if i == 40 else 0)} for i in range(50)
    ]
    out = run(["metrics", "score"], stdin=json.dumps(series))
    scores = [json.loads(line)["anomaly_score"] for line in out.stdout.splitlines()]
    assert len(scores) == 50 and all(0 <= s <= 1 for s in scores)


@pytest.mark.parametrize(
    ("stdin", "needle"),
    [
        ("nonsense", "line 1: not JSON"),
        ("[1, 2]", "point 1 is a JSON int"),
        ("5", "got a JSON int"),
        ('{"timestamp": 1, "value": 2}\n{oops', "line 2: not JSON"),
    ],
)
def test_metrics_score_bad_input_is_one_clear_line(stdin: str, needle: str) -> None:
    out = run(["metrics", "score"], stdin=stdin)
    assert out.returncode == 1 and out.stdout == ""
    assert needle in out.stderr and "Traceback" not in out.stderr


def test_discover_compose_then_extract(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n  web:\n    image: acme/web\n    environment:\n      DATABASE_URL: postgres://u@db:5432/app\n"
        "  db:\n    image: postgres:16\n"
    )
    graph = run(["discover", "compose", str(compose)])
    assert graph.returncode == 0, graph.stderr
    edges = run(["call", "extract_dependencies", "-"], stdin=graph.stdout)
    found = json.loads(edges.stdout)["edges"]
    assert any(e["to_id"].endswith("db") and e["type"] == "database" for e in found)


def test_doctor_asks_each_model_and_reports(fake: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "aiops.toml").write_text(
        f'[endpoints.fake]\nbase_url = "{fake.base_url}"\n\n'
        '[tools.classify_job]\nmodels = ["fake:good", "fake:dead"]\n'
        + "".join(
            f'[tools.{t}]\nmodels = ["fake:good"]\n'
            for t in (
                "validate_job_payload",
                "analyze_failure",
                "triage_dlq",
                "summarize_logs",
                "predict_incidents",
                "extract_dependencies",
                "generate_docs",
            )
        )
        + f'\n[gateway]\naudit_path = "{tmp_path / "audit.jsonl"}"\n'
    )
    fake.script("dead", "401")
    out = run(
        ["doctor"], cwd=tmp_path, env={"AIOPS_OFFLINE": "0", "AIOPS_STORE": f"sqlite:///{tmp_path}/s.db"}
    )
    assert "fake:good: OK" in out.stdout
    assert "fake:dead: FAILED" in out.stdout and "http_401" in out.stdout
    assert out.returncode == 1


def test_logs_are_json_lines_on_stderr_and_redacted(tmp_path: Path) -> None:
    script = (
        "import logging; from aiops_mcp.server.logsetup import configure_logging; configure_logging('INFO');"
        "log = logging.getLogger('t');"
        "log.warning('user %s failed', 'maria@acme.ph')\n"
        "try:\n    raise ValueError('token ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8')\n"
        "except ValueError:\n    log.exception('boom')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AIOPS_LOG_FORMAT": "json"},
    )
    assert out.stdout == ""
    records = [json.loads(line) for line in out.stderr.splitlines()]
    assert records[0]["level"] == "WARNING" and "<EMAIL_1>" in records[0]["message"]
    assert "maria@acme.ph" not in out.stderr and "ghp_" not in out.stderr
    assert "ValueError" in records[1]["exception"]


def test_demo_tours_every_tool_on_the_embedded_store_and_alerts_a_local_webhook(tmp_path: Path) -> None:
    out = run(["demo"], env={"XDG_DATA_HOME": str(tmp_path), "AIOPS_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr
    assert (
        "8 tools" in out.stdout and ": ERROR " not in out.stdout
    )  # a failed call prints "== tool: ERROR ..."
    assert "demo sample in the default store" in out.stdout  # triage_dlq read the store
    assert '"time_to_incident_seconds"' in out.stdout
    received = int(out.stdout.split("alerts received by the local webhook at ")[1].split(": ")[1].split()[0])
    assert received >= 1 and "Predicted incident" in out.stdout


def test_doctor_reports_a_broken_job_types_table(tmp_path: Path) -> None:
    # classify_job loads the taxonomy on its first call, so doctor is where a broken table shows up early
    (tmp_path / "aiops.toml").write_text('[job_types.sync]\nkeywords = "not a list or table"\n')
    env = {"AIOPS_OFFLINE": "1", "AIOPS_STORE": f"sqlite:///{tmp_path}/s.db"}
    out = run(["doctor"], cwd=tmp_path, env=env)
    assert "job types: FAILED" in out.stdout and "keywords" in out.stdout, out.stdout + out.stderr
    assert out.returncode == 1
    (tmp_path / "aiops.toml").write_text('[job_types.sync]\nkeywords = ["mirror"]\n')
    good = run(["doctor"], cwd=tmp_path, env=env)
    assert "job types:" in good.stdout and "1 entries from the configuration" in good.stdout
    assert good.returncode == 0, good.stdout + good.stderr
