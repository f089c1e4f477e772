"""Model half of triage_dlq: answers are checked against the items; facts stand where they clash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aiops_mcp.tools.dlq.engine import triage
from aiops_mcp.tools.dlq.llm import ASSIST, DlqAnswer, ModelGroup
from aiops_mcp.tools.dlq.models import DlqItem, TriageInput
from aiops_mcp.tools.spec import Rejected

AS_OF = datetime(2025, 2, 4, 3, 15, tzinfo=UTC)
ERRORS = [
    "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://api.bank.example.ph/v1/tx'",
    "httpx.ReadTimeout: timed out",
    "KeyError: 'tax_type'",
    "FooVendorFault: mystery",
]


def _input() -> TriageInput:
    items = [
        DlqItem(
            id=f"d{n}",
            job_type="sync",
            error=ERRORS[n % 4],
            payload={"integration": "bank"},
            failed_at=AS_OF - timedelta(minutes=60 - n),
        )
        for n in range(8)
    ]
    return TriageInput(items=items, as_of=AS_OF)


def _labels(gids: list[str], action: str = "retry") -> ModelGroup:
    return ModelGroup(group_ids=gids, action=action, root_cause="external", summary="s")  # type: ignore[arg-type]


def test_prompt_shows_one_representative_per_group_with_counts() -> None:
    inp = _input()
    offline = triage(inp.items, as_of=inp.as_of)
    prompt = ASSIST.build_prompt(inp, offline)
    assert prompt.count('"group_id"') == len(offline.groups)
    assert '"count": 2' in prompt and "<data>" in prompt
    assert not ASSIST.confident(offline)  # the unknown error makes the model worth asking


def test_unknown_missing_or_duplicated_ids_are_rejected() -> None:
    inp = _input()
    offline = triage(inp.items, as_of=inp.as_of)
    ids = [g.id for g in offline.groups]
    for bad in (
        DlqAnswer(groups=[_labels([*ids, "g99"])]),
        DlqAnswer(groups=[_labels(ids[:-1])]),
        DlqAnswer(groups=[_labels(ids), _labels(ids[:1])]),
    ):
        with pytest.raises(Rejected):
            ASSIST.merge(inp, offline, bad)


def test_merge_within_a_category_is_accepted_and_across_categories_refused() -> None:
    inp = _input()
    offline = triage(inp.items, as_of=inp.as_of)
    by_cat: dict[str, list[str]] = {}
    for g in offline.groups:
        by_cat.setdefault(g.category, []).append(g.id)
    everything = [g.id for g in offline.groups]
    merged = ASSIST.merge(inp, offline, DlqAnswer(groups=[_labels(everything, "ignore")]))
    # Categories differ, so nothing is merged across them; recognised classes keep their action.
    assert len(merged.groups) >= len(by_cat)
    actions = {i.id: i.action for i in merged.items}
    assert actions["d0"] == "retry" and actions["d2"] == "redeploy"
    # Only the group without a recognised error class takes the model's label.
    assert actions["d3"] == "ignore"
    assert sorted(i.id for i in merged.items) == sorted(i.id for i in inp.items)
