"""What a tool supplies so the shared runner can ask a model for it (step 3-4 of the design's flow).

A tool's offline engine always runs first. When the tool's policy asks for a model, the runner sends
`build_prompt(...)` through the gateway, asks for `answer_model`, and hands the validated answer to
`merge(...)`, which checks it against the offline facts and raises `Rejected` if it contradicts them
(unknown ids, invented nodes, wrong enums): the offline result then stands.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

In = TypeVar("In", contravariant=True)
Out = TypeVar("Out", bound=BaseModel)
Ans = TypeVar("Ans", bound=BaseModel)


class Rejected(Exception):
    """The model's answer contradicts the facts of the offline analysis; the message says which."""


class ModelAssist(Protocol, Generic[In, Out]):
    """The model-facing half of a tool. Pure functions: no I/O, no gateway calls."""

    answer_model: type[BaseModel]
    """Pydantic model the model must return (JSON-schema response format)."""

    def confident(self, offline: Out) -> bool:
        """True when the offline result is good enough that `llm = "auto"` skips the model."""
        ...

    def build_prompt(self, inp: In, offline: Out) -> str:
        """The user message: facts of the offline analysis, compact; untrusted text fenced as data."""
        ...

    def merge(self, inp: In, offline: Out, answer: BaseModel) -> Out:
        """Combine a validated answer with the offline facts, or raise `Rejected`."""
        ...
