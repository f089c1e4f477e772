"""PostgreSQL (SQLSTATE in any driver's format) and PostgREST (PGRST codes) errors."""

from __future__ import annotations

import re

from . import sqlstate
from .parse import ParsedError
from .verdict import Verdict

_PG_DRIVERS = re.compile(
    r"psycopg|asyncpg|sqlalchemy|postgrest|postgres|Postgrex|PSQLException|pq: |node-postgres|SQLSTATE|"
    r"\bpg_code\b|\bpg\b/lib|DatabaseError|OperationalError|IntegrityError|ProgrammingError|DataError",
    re.I,
)


def _quoted_after(text: str, word: str) -> str | None:
    m = re.search(word + r'\s+"([^"]+)"', text)
    return m[1] if m else None


def _column(text: str) -> str | None:
    for rx in (
        r'column "?([\w.]+)"? (?:of relation "[\w.]+" )?does not exist',
        r"Could not find the '(\w+)' column",
        r"column ([\w.]+) does not exist",
        r"Unrecognized name: (\w+)",
    ):
        if m := re.search(rx, text):
            return m[1].split(".")[-1]
    return None


def _relation(text: str) -> str | None:
    m = re.search(r'(?:relation|table) "?([\w.]+)"?', text)
    return m[1] if m else None


def _pg_fix(code: str, text: str, subject: str | None) -> str:
    s = subject or "the object"
    fixes = {
        "23505": f"Make the write idempotent: upsert (INSERT ... ON CONFLICT ({_conflict_cols(text) or 'key'}) "
        f"DO UPDATE/DO NOTHING) on {s}; if the existing row is a different entity, fix the duplicate record.",
        "23503": f"Insert the referenced parent row first (or fix the id in the payload) for {s}; replay after.",
        "23502": f"Supply the NOT NULL value ({s}) in the payload or give the column a default.",
        "23514": f"Fix the record so it satisfies check constraint {s} (validate it before writing).",
        "23P01": f"Resolve the overlapping row that conflicts with exclusion constraint {s}.",
        "40001": "Retry the whole transaction (serialization failure); keep transactions short.",
        "40P01": "Retry the transaction; take row locks in a consistent order (e.g. ORDER BY id FOR UPDATE) "
        "to stop concurrent jobs deadlocking.",
        "55P03": "Retry after the lock holder finishes; use lock_timeout with backoff.",
        "53300": "Back off and retry; route workers through the pooler (transaction mode) and cap each "
        "worker's pool size so connections stay under max_connections.",
        "53200": "Retry later; reduce concurrent heavy queries or work_mem, or raise the instance size.",
        "53100": "Free disk on the database (or grow it) and retry.",
        "57014": "Retry once load drops; if it keeps timing out, add an index or batch the query.",
        "57P03": "Retry with backoff: the database is starting, failing over or recovering.",
        "42703": f"Apply the pending migration that adds column {s} (or fix the column name in the code), "
        "then redeploy and replay.",
        "42P01": f"Apply the missing migration that creates {s} (or fix the table name / search_path).",
        "42883": f"Create or migrate function {s} (check argument types), or fix the call.",
        "42601": "Fix the SQL syntax in the job's query and redeploy.",
        "42804": "Cast the parameter to the column type (or fix the value's type) in the query and redeploy.",
        "42501": "Use a role/key with the needed grant (service role for jobs) or add the RLS policy.",
        "28P01": "Rotate/fix the database credentials in the worker's secret and redeploy.",
        "3D000": "Fix the database name in the DSN.",
        "26000": "With PgBouncer in transaction mode disable prepared statements "
        "(statement_cache_size=0 / prepare_threshold=None) or use session pooling.",
        "22P02": "Validate and normalise the input value (format/type) before writing; fix the record.",
        "22001": f"Truncate or validate the value, or widen the column ({s}).",
        "22003": "Validate the value's range or widen the numeric column type.",
        "22012": "Guard the division (NULLIF(denominator, 0)) or fix the zero input.",
        "21000": "Make the subquery return one row (add a key filter or LIMIT 1 / aggregate).",
        "P0001": "Resolve the business-rule failure the database raised (see its message), then replay.",
        "XX001": "Storage corruption: stop writes to the relation, restore from backup/PITR, investigate.",
        "XX002": "Index corruption: REINDEX the index and investigate the storage.",
        "25006": "Point the job at the primary (it wrote to a read-only replica/transaction).",
    }
    if code in fixes:
        return fixes[code]
    cat, root, name = sqlstate.policy(code, text)
    if cat == "transient":
        return f"Retry with backoff ({name}, SQLSTATE {code}) once the database recovers."
    return {
        "data": f"Fix the offending record ({name}, SQLSTATE {code}) and replay.",
        "code": f"Fix the query/schema mismatch ({name}, SQLSTATE {code}), redeploy, replay.",
        "infra": f"Fix the database configuration/permissions ({name}, SQLSTATE {code}).",
    }.get(root, "Inspect the database error.")


def _conflict_cols(text: str) -> str | None:
    m = re.search(r"Key \(([^)]+)\)=", text)
    return m[1] if m else None


def _subject(code: str, text: str) -> str | None:
    if code.startswith("23"):
        return _quoted_after(text, "constraint") or _relation(text)
    if code == "42703":
        return _column(text)
    if code in {"42P01", "42501"}:
        return _relation(text)
    if code == "42883":
        m = re.search(r"function ([\w.]+\([^)]*\))", text)
        return m[1] if m else None
    return None


def _verdict_for_code(code: str, p: ParsedError, how: str, conf: float) -> Verdict:
    cat, root, name = sqlstate.policy(code, p.text)
    subject = _subject(code, p.text)
    flags: set[str] = set()
    if code in {"XX001", "XX002"}:
        flags.add("data_loss")
    if code in {"28P01", "28000", "42501"}:
        flags.add("auth")
    if code == "23505":
        flags.add("replay_candidate")
    if code == "08007":
        flags.add("resolution_unknown")
    family = {
        "53300": "db_capacity",
        "53200": "db_capacity",
        "53000": "db_capacity",
        "57P03": "db_capacity",
        "40P01": "db_concurrency",
        "40001": "db_concurrency",
        "55P03": "db_concurrency",
        "42703": "schema_drift",
        "42P01": "schema_drift",
    }.get(code, "db_connection" if code.startswith("08") else "pg")
    backoff = 1.0 if family == "db_concurrency" else 5.0
    why = f"PostgreSQL {name} (SQLSTATE {code}, {how}): " + (
        "the server's retry semantics say a retry can succeed."
        if cat == "transient"
        else "the same statement with the same input fails the same way."
    )
    return Verdict(
        cat, root, f"pg.{code}", why, _pg_fix(code, p.text, subject), conf, family, subject, flags, backoff
    )


_PGRST = {
    "PGRST000": (
        "transient",
        "infra",
        "PostgREST cannot reach the database",
        "Retry; check the database is up.",
    ),
    "PGRST001": (
        "permanent",
        "infra",
        "PostgREST internal connection error",
        "Check PostgREST/DB connectivity.",
    ),
    "PGRST002": (
        "transient",
        "infra",
        "PostgREST could not build its schema cache",
        "Retry once the DB is up.",
    ),
    "PGRST003": (
        "transient",
        "infra",
        "timed out acquiring a connection from PostgREST's pool",
        "Back off and retry; reduce concurrent requests or raise the PostgREST pool size (db-pool).",
    ),
    "PGRST116": (
        "permanent",
        "data",
        "a single-row request (.single()) matched 0 or many rows",
        "Check the filter values (ids) and RLS; use .maybe_single() where no row is a valid outcome.",
    ),
    "PGRST204": (
        "permanent",
        "code",
        "a column the code sends is not in PostgREST's schema cache",
        "Apply the migration that adds the column (then NOTIFY pgrst, 'reload schema') or fix the column name.",
    ),
    "PGRST205": (
        "permanent",
        "code",
        "the table is not in PostgREST's schema cache",
        "Apply the migration that creates the table (then reload the schema cache) or fix the name.",
    ),
    "PGRST202": (
        "permanent",
        "code",
        "the RPC function was not found",
        "Create/migrate the function or fix args.",
    ),
}


# Codes whose message wording is generic enough to appear outside databases: need a driver in sight.
_GENERIC_WORDING = {"53200", "53100", "22012", "22003", "42P01", "42703", "42883", "3D000", "28P01", "57014"}


def classify(p: ParsedError) -> Verdict | None:
    text = p.text
    if m := re.search(r"\b(PGRST\d{3}|PGRSTX\d{2})\b", text):
        code = m[1]
        if code in _PGRST:
            cat, root, what, fix = _PGRST[code]
        elif code.startswith("PGRST3"):
            cat, root, what, fix = (
                "permanent",
                "infra",
                "JWT rejected",
                "Refresh/rotate the JWT or the key used.",
            )
        elif code.startswith("PGRST2"):
            cat, root, what, fix = "permanent", "code", "schema-cache mismatch", "Migrate or fix the request."
        elif code.startswith("PGRST1"):
            cat, root, what, fix = (
                "permanent",
                "code",
                "malformed PostgREST request",
                "Fix the request the code builds.",
            )
        else:
            cat, root, what, fix = "transient", "infra", "PostgREST connection problem", "Retry with backoff."
        family = {"PGRST003": "db_capacity", "PGRST204": "schema_drift", "PGRST205": "schema_drift"}.get(
            code, "pgrst"
        )
        subject = _column(text) if code == "PGRST204" else None
        flags = {"auth"} if code.startswith("PGRST3") else set()
        return Verdict(
            cat, root, f"pgrst.{code}", f"PostgREST {code}: {what}.", fix, 0.9, family, subject, flags, 5.0
        )
    code = sqlstate.code_in_text(text)
    if code:
        return _verdict_for_code(code, p, "explicit code", 0.95)
    # SQLAlchemy wraps the driver's class in parentheses: "(psycopg2.errors.UndefinedColumn) ...".
    wrapped = re.findall(r"\(((?:psycopg2?|asyncpg)\.(?:errors|exceptions)\.\w+)\)", text)
    for name in [*wrapped, *reversed(p.names)]:
        # sqlalchemy.exc.* names are DB-API categories (InternalError, DataError), not SQLSTATE conditions.
        if name.startswith("sqlalchemy."):
            continue
        if re.search(r"psycopg|asyncpg|postgres|PSQL", name, re.I) or name.split(".")[-1] in {
            "UniqueViolation",
            "DeadlockDetected",
        }:
            c = sqlstate.code_for_class_name(name)
            if c:
                return _verdict_for_code(c, p, f"driver class {name.rsplit('.', 1)[-1]}", 0.93)
    c = sqlstate.code_for_message(text)
    if c and (_PG_DRIVERS.search(text) or c not in _GENERIC_WORDING):
        return _verdict_for_code(c, p, "server message", 0.85)
    return None
