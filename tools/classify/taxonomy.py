"""The job-type taxonomy as data: shipped defaults (taxonomy.json) merged with a team's overrides.

A team's `aiops.toml` may add or change job types without a release:

    [job_types.invoice_dunning]
    description = "Chase overdue customer invoices"
    keywords = ["dunning", "overdue*"]          # or a table of weights: { dunning = 3.0 }
    lead_verbs = ["chase", "remind"]             # the verb that opens the description
    head_nouns = ["reminder"]                     # "Overdue reminder for ..." (noun-phrase headlines)
    field_cues = ["days_overdue"]
    value_patterns = ['^INV/\\d{4}/']
    examples = [{ reminder_level = 2, invoices = "overdue" }]
    # replace = true   -> drop the shipped cues of a type of the same name
    # enabled = false  -> remove a shipped type
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, field_validator

DEFAULT_WEIGHT = 2.0


class ValuePattern(BaseModel):
    pattern: str
    weight: float = DEFAULT_WEIGHT

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        re.compile(v)
        return v


class JobType(BaseModel):
    description: str = ""
    lead_verbs: dict[str, float] = Field(default_factory=dict)
    head_nouns: dict[str, float] = Field(default_factory=dict)
    keywords: dict[str, float] = Field(default_factory=dict)
    field_cues: dict[str, float] = Field(default_factory=dict)
    value_patterns: list[ValuePattern] = Field(default_factory=list)
    examples: list[dict[str, Any]] = Field(default_factory=list)
    _example_tokens: list[set[str]] | None = PrivateAttr(default=None)

    @field_validator("lead_verbs", "head_nouns", "keywords", "field_cues", mode="before")
    @classmethod
    def _weights(cls, v: Any) -> dict[str, float]:
        if isinstance(v, list):
            return {str(k): DEFAULT_WEIGHT for k in v}
        return v or {}

    @field_validator("value_patterns", mode="before")
    @classmethod
    def _patterns(cls, v: Any) -> list[Any]:
        return [{"pattern": p} if isinstance(p, str) else p for p in v or []]


class Settings(BaseModel):
    temperature: float = 2.5
    conflict_factor: float = 1.0
    key_keyword_factor: float = 0.5
    headline_factor: float = 1.6
    lead_verb_factor: float = 1.0
    head_noun_factor: float = 1.0
    clause_verb_factor: float = 0.5
    segment_breaks: list[str] = Field(default_factory=lambda: [" for ", " of ", " to ", ":", ","])
    example_weight: float = 6.0
    description_weight: float = 0.0
    headline_keys: list[str] = Field(default_factory=list)
    ignore_keys: list[str] = Field(default_factory=list)
    envelope_keys: list[str] = Field(default_factory=list)


class Taxonomy(BaseModel):
    settings: Settings = Field(default_factory=Settings)
    job_types: dict[str, JobType]

    def names(self) -> list[str]:
        return list(self.job_types)


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("taxonomy.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("_comment", None)
    return data


_WEIGHTED = ("lead_verbs", "head_nouns", "keywords", "field_cues")
_LISTS = ("value_patterns", "examples")


def _merge_type(name: str, base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    if over.get("replace"):
        return {k: v for k, v in over.items() if k not in ("replace", "enabled")}
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key in ("replace", "enabled"):
            continue
        try:
            if key in _WEIGHTED:
                merged = JobType._weights(out.get(key, {}))
                merged.update(JobType._weights(value))
                out[key] = merged
            elif key in _LISTS:
                if isinstance(value, str):
                    raise TypeError("a single string")
                out[key] = list(out.get(key, [])) + list(value or [])
            else:
                out[key] = value
        except (TypeError, ValueError, AttributeError) as exc:
            # the bare error ("dictionary update sequence element #0 ...") names neither table nor field
            shape = "a list of words or a table of word = weight" if key in _WEIGHTED else "a list"
            raise ValueError(f"job_types.{name}.{key} must be {shape} ({exc})") from None
    return out


def load_taxonomy(overrides: dict[str, Any] | None = None) -> Taxonomy:
    """Shipped taxonomy merged with `overrides` = the parsed `[job_types]` table of aiops.toml.

    `overrides` may also carry a `settings` table (e.g. `temperature`).
    """
    data = copy.deepcopy(_shipped())
    overrides = dict(overrides or {})
    if "job_types" in overrides and isinstance(overrides["job_types"], dict):
        settings = overrides.get("settings")
        overrides = dict(overrides["job_types"])
        if settings:
            overrides["settings"] = settings
    if isinstance(overrides.get("settings"), dict):
        data["settings"].update(overrides.pop("settings"))
    for name, over in overrides.items():
        over = {} if over is None else over  # an empty table, as before
        if not isinstance(over, dict):
            raise ValueError(f"job_types.{name}: expected a table, got {type(over).__name__}")
        if over.get("enabled") is False:
            data["job_types"].pop(name, None)
            continue
        data["job_types"][name] = _merge_type(name, data["job_types"].get(name, {}), over)
    if not data["job_types"]:
        raise ValueError("the taxonomy has no job types left after overrides")
    return Taxonomy.model_validate(data)
