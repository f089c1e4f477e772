"""Store errors that a tool can show as they are: the store's kind and location, the cause, no secret.

A tool turns a `StoreError` into a tool error with `str(err)`; that text must be safe to show an agent,
so every message goes through `scrub()` and names the store by its masked label.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class StoreError(Exception):
    """The store could not answer. `str()` names the store (password masked) and the cause."""

    def __init__(self, store: str, cause: str, *, secrets: tuple[str, ...] = ()) -> None:
        self.store = store
        self.cause = scrub(cause, secrets)
        super().__init__(f"store {store}: {self.cause}")


class WindowTooLarge(StoreError):
    """The time window holds more rows than the configured maximum and the caller asked to refuse."""

    def __init__(self, store: str, *, table: str, total: int | None, max_rows: int) -> None:
        self.table = table
        self.total = total  # None when only "more than max_rows" is known
        self.max_rows = max_rows
        held = f"{total:,} {table} rows, more" if total is not None else f"more {table} rows"
        super().__init__(
            store,
            f"the window holds {held} than the maximum of {max_rows:,}; "
            "narrow the window or the source, raise the maximum, or ask for a sample",
        )


_PASSWORD_PARAMS = {"password", "pass", "sslpassword"}


def mask_url(url: str) -> str:
    """`postgresql://user:secret@host/db?password=x` → `postgresql://user:***@host/db?password=***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"://[^@/]*@", "://***@", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, _pw = userinfo.partition(":")
        netloc = f"{user}:***@{hostport}" if sep else f"{user}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k.lower() in _PASSWORD_PARAMS else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_secrets(url: str) -> tuple[str, ...]:
    """The secret parts of a URL, so a driver message that echoes them can be scrubbed."""
    found: list[str] = []
    try:
        parts = urlsplit(url)
        if parts.password:
            found.append(parts.password)
        found += [v for k, v in parse_qsl(parts.query) if k.lower() in _PASSWORD_PARAMS and v]
    except ValueError:
        pass
    return tuple(s for s in found if len(s) >= 3)


_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@")
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove passwords, keys and tokens from a driver's message; keep it to one short paragraph."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _CONNINFO_PASSWORD.sub(r"\1***", text)
    text = _URL_USERINFO.sub(r"\1***@", text)
    text = _BEARER.sub(r"\1***", text)
    text = _JWT.sub("***", text)
    text = " ".join(text.split())
    return text if len(text) <= 500 else text[:497] + "..."


def describe_exception(exc: BaseException) -> str:
    """A one-line cause: the exception's message, or its class name when it has none."""
    message = str(exc).strip()
    name = type(exc).__name__
    if not message:
        return name
    return message if name in {"Exception", "OSError"} else f"{message} ({name})"
