"""Shared fixtures. Data sets live in ../shared (beside the repo); tests that need them skip without it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"shared data folder not found at {SHARED} (it sits beside the repo on dev and CI machines)")
    return SHARED
