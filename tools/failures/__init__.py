"""Failure analysis: should a failed job be retried, why, and what to fix (offline engine + model assist)."""
