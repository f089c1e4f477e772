"""Dead-letter-queue triage: group by root cause, deadline-aware severity, action and priority."""
