"""A logging filter so that nothing unredacted reaches a handler (the server's own logs)."""

from __future__ import annotations

import logging

from .vault import Vault

_WITHHELD = "[log message withheld: redaction failed]"


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (args merged in), exception and stack text, redacted.

    Attach it to handlers (a filter on a handler sees records from every logger). A failure inside
    redaction withholds the message instead of letting the raw text through.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        vault = Vault()  # one record = one short-lived vault: placeholders never map across records
        try:
            record.msg = vault.redact(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = vault.redact(record.exc_text)
            if record.stack_info:
                record.stack_info = vault.redact(record.stack_info)
        except Exception:
            record.msg, record.args, record.exc_text, record.stack_info = _WITHHELD, None, None, None
            record.exc_info = None
        finally:
            vault.close()
        return True
