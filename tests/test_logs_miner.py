"""Template miner: masking, clustering, streaming, header detection, and the LogHub-2k targets."""

from __future__ import annotations

import importlib.util
import io
import json
import random

import pytest

from aiops_mcp.tools.logs.cli import run_parse
from aiops_mcp.tools.logs.header import learn_layout, level_of, parse_timestamp
from aiops_mcp.tools.logs.masking import VAR, generalize, mask, render
from aiops_mcp.tools.logs.miner import TemplateMiner
from aiops_mcp.tools.logs.parser import LogParser

SYSTEMS = ("HDFS", "BGL", "Windows", "Android")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6",
         "Received block <*> of size <*> from <*>"),
        ("connect to 10.0.0.1:5432 failed after 3 retries", "connect to <*> failed after <*> retries"),
        ("flags=0x1f uid=1000, ws=null,", "flags=<*> uid=<*>, ws=<*>,"),
        ("opened /var/log/app/current.log", "opened <*>"),
        ("request 3fa85f64-5717-4562-b3fc-2c963f66afa6 done", "request <*> done"),
        ("generating core.2275", "generating core.<*>"),
        ("version v6.1.7601.23505 loaded", "version <*> loaded"),
        ("pkg com.example.app.Main started", "pkg <*> started"),
        ("took 12.5 ms", "took <*> ms"),
        ("took 250ms, then 1.5s (64KB)", "took <*>, then <*> (<*>)"),
    ],
)  # fmt: skip
def test_mask_replaces_strong_variables(text: str, expected: str) -> None:
    assert render(mask(text)) == expected


def test_mask_keeps_words_with_digits_for_the_clusters_to_decide() -> None:
    # "u0", "L3", "r24" are names in some logs and values in others; masking leaves them alone
    assert render(mask("L3 EDRAM error on u0 r24=5")) == "L3 EDRAM error on u0 r24=<*>"


def test_generalize_keeps_shared_structure() -> None:
    assert render(generalize(["uid=1,", "uid=22,"])) == "uid=<*>,"
    assert render(generalize(["ws=null,", "ws=WorkSource{10113},"])) == "ws=<*>,"
    assert generalize(["a", "b"]) == VAR


def _lines(rng: random.Random, n: int) -> list[str]:
    users = ["alice", "bob", "carol", "dave", "erin", "frank"]
    out = []
    for _ in range(n):
        k = rng.randrange(4)
        if k == 0:
            out.append(
                f"User {rng.choice(users)} logged in from 10.0.{rng.randrange(9)}.{rng.randrange(250)}"
            )
        elif k == 1:
            out.append(f"Job {rng.randrange(10**6)} finished in {rng.randrange(900)} ms")
        elif k == 2:
            out.append(
                f"Error creating map from file /etc/m{rng.randrange(9)}.cfg: {rng.choice(['Bad file descriptor', 'Permission denied'])}"
            )
        else:
            out.append(f"cache hit ratio={rng.random():.3f} size={rng.randrange(10**5)}")
    return out


def test_miner_groups_by_event_and_splits_on_wording() -> None:
    rng = random.Random(3)
    lines = _lines(rng, 400)
    m = TemplateMiner()
    ids = m.add_batch(lines)
    texts = {m.template_text(i) for i in ids}
    assert texts == {
        "User <*> logged in from <*>",
        "Job <*> finished in <*> ms",
        "Error creating map from file <*>: Bad file descriptor",
        "Error creating map from file <*>: Permission denied",
        "cache hit ratio=<*> size=<*>",
    }


def test_miner_streams_in_batches_with_stable_ids() -> None:
    rng = random.Random(5)
    lines = _lines(rng, 3000)
    m = TemplateMiner(batch_size=500)
    ids = [tid for _, tid in m.mine(lines)]
    assert len(ids) == len(lines)
    # same event -> same id across batches; memory follows templates, not lines
    by_text: dict[str, set[int]] = {}
    for line, tid in zip(lines, ids, strict=True):
        by_text.setdefault(line.split()[0], set()).add(tid)
    assert len(m) <= 6
    assert all(len(v) <= 2 for v in by_text.values())
    assert len(m._cache) < 200


RAW = [
    "2024-03-01 12:00:0{i},123 INFO [main] com.acme.Worker: job {i} done in {i}5 ms",
    "2024-03-01 12:00:0{i},456 ERROR [pool-1] com.acme.Db: connection to db{i} refused",
]


def test_header_layout_found_without_a_format() -> None:
    lines = [t.format(i=i % 10) for i in range(40) for t in RAW]
    layout = learn_layout(lines)
    header, message, level = layout.split(lines[1])
    assert message == "connection to db0 refused"
    assert level == "ERROR"
    assert parse_timestamp(header).isoformat() == "2024-03-01T12:00:00.456000"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; uid=0", "authentication failure; uid=0"),
        ("03-17 16:13:38.811  1702  2395 D WindowManager: window {i} shown", "window {i} shown"),
        ("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating", "PacketResponder 1 terminating"),
        ("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok", "workerEnv.init() ok"),
    ],
)  # fmt: skip
def test_header_layouts_of_common_formats(line: str, message: str) -> None:
    lines = [line.replace("{i}", str(i)) for i in range(30)]
    assert learn_layout(lines).split(lines[3])[1] == message.replace("{i}", "3")


def test_levels_and_continuation_lines() -> None:
    assert level_of("[WARN]") == "WARNING"
    assert level_of("error") is None  # bare lower-case prose is not a level
    assert level_of("E", letters=True) == "ERROR"
    layout = learn_layout([t.format(i=i % 10) for i in range(20) for t in RAW])
    assert layout.split("\tat com.acme.Db.open(Db.java:42)") == ("", "at com.acme.Db.open(Db.java:42)", None)
    assert layout.split("Caused by: java.io.IOException: broken pipe") == (
        "",
        "Caused by: java.io.IOException: broken pipe",
        None,
    )


def test_run_parse_writes_one_object_per_line_in_order() -> None:
    lines = [t.format(i=i % 10) for i in range(30) for t in RAW]
    out = io.StringIO()
    run_parse(io.StringIO("\n".join(lines) + "\n"), out, content_only=False)
    recs = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(recs) == len(lines)
    assert {(r["template_id"], r["template"]) for r in recs} == {
        ("1", "job <*> done in <*> ms"),
        ("2", "connection to <*> refused"),
    }
    assert [r["template_id"] for r in recs[:4]] == ["1", "2", "1", "2"]
    assert all(r["template"] == r["content_template"] for r in recs)
    out = io.StringIO()
    run_parse(io.StringIO("a b 1\na b 2\n"), out, content_only=True)
    assert [json.loads(x)["template"] for x in out.getvalue().splitlines()] == ["a b <*>", "a b <*>"]


def _scorer(shared_dir):
    spec = importlib.util.spec_from_file_location(
        "logparse_score", shared_dir / "scorers" / "logparse_score.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_loghub2k_targets(shared_dir) -> None:
    """Issue targets: content GA >= 0.95 and PA >= 0.85 on average, raw GA >= 0.92, no system below GA 0.85."""
    S = _scorer(shared_dir)
    data = shared_dir / "data" / "loghub2k"
    results: dict[str, list[dict]] = {"content": [], "raw": []}
    for system in SYSTEMS:
        gt = S.load_ground_truth(str(data / system), system)
        raw = S.read_raw_lines(str(data / system / f"{system}_2k.log"))
        for mode, lines in (("content", [r["Content"] for r in gt]), ("raw", raw)):
            parser = LogParser(content_only=mode == "content")
            preds = []
            for p in parser.parse(lines):
                t = parser.template(p.template_id)
                preds.append({"template_id": str(p.template_id), "template": t, "content_template": t})
            results[mode].append(S.score_rows(gt, preds, mode, raw_lines=raw))
    for mode, rows in results.items():
        assert min(r["GA"] for r in rows) >= 0.85, (mode, rows)
    content_ga = sum(r["GA"] for r in results["content"]) / len(SYSTEMS)
    content_pa = sum(r["PA"] for r in results["content"]) / len(SYSTEMS)
    raw_ga = sum(r["GA"] for r in results["raw"]) / len(SYSTEMS)
    assert content_ga >= 0.95
    assert content_pa >= 0.85
    assert raw_ga >= 0.92


def test_template_without_text_does_not_swallow_new_wording() -> None:
    m = TemplateMiner(batch_size=10)
    first = m.add_batch([f"{i} {i * 7}" for i in range(10)])
    later = m.add_batch(["connection reset"] * 10)
    assert m.template_text(first[0]) == "<*> <*>"
    assert later[0] != first[0] and m.template_text(later[0]) == "connection reset"


def test_variable_length_lists_join_one_template() -> None:
    lines = [
        f"ask 10.0.0.{i}:50010 to delete " + " ".join(f"blk_{i}{j}" for j in range(1 + i % 4))
        for i in range(40)
    ]
    lines += [
        f'acquire lock={i}, tag="{t}", uid={i}'
        for i, t in enumerate(["View Lock", "alarm", "Audio Mix", "sync", "gps"] * 4)
    ]
    m = TemplateMiner()
    ids = m.add_batch(lines)
    assert {m.template_text(i) for i in ids[:40]} == {"ask <*> to delete <*>"}
    assert {m.template_text(i) for i in ids[40:]} == {'acquire lock=<*>, tag="<*>", uid=<*>'}


def test_words_that_vary_in_several_events_are_data() -> None:
    """Three user names recur across events: a variable, although a column of three plain words."""
    rng = random.Random(9)
    users = ["root", "admin", "guest"]
    lines = []
    for i in range(300):
        u = rng.choice(users)
        lines.append(
            [f"Failed password for {u} from 10.1.1.{i % 250} port {1000 + i} ssh2",
             f"session opened for user {u} by (uid={i % 3})",
             f"session closed for user {u}"][i % 3]
        )  # fmt: skip
    m = TemplateMiner()
    assert {m.template_text(t) for t in m.add_batch(lines)} == {
        "Failed password for <*> from <*> port <*> ssh2",
        "session opened for user <*> by (uid=<*>)",
        "session closed for user <*>",
    }
