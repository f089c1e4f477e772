"""Offline log template mining and log summaries (the `summarize_logs` tool and `aiops-mcp logs parse`)."""
