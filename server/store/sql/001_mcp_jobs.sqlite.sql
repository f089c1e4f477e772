-- aiops-mcp: the mcp_jobs schema in SQLite's dialect (the embedded default store).
-- Same tables and columns as 001_mcp_jobs.sql; SQLite has no schemas, so the names are unqualified.
-- uuid -> text (random v4 by default), jsonb -> text holding JSON, timestamptz -> text in ISO 8601 UTC.
-- Times are compared through julianday(), so any ISO 8601 spelling a client writes sorts correctly.

create table if not exists jobs (
    id            text primary key default (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    job_type      text not null,
    status        text not null default 'pending',
    payload       text not null default '{}',
    retry_count   integer not null default 0,
    max_retries   integer not null default 3,
    error         text,
    error_stack   text,
    created_at    text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table if not exists dead_letter_queue (
    id            text primary key default (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    job_id        text,
    job_type      text not null,
    error         text not null default '',
    error_stack   text,
    retry_count   integer not null default 0,
    max_retries   integer not null default 3,
    payload       text not null default '{}',
    resolved      integer not null default 0,
    created_at    text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    failed_at     text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index if not exists dead_letter_queue_unresolved_idx on dead_letter_queue (resolved, julianday(failed_at));

create table if not exists job_events (
    id            text primary key default (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    job_id        text,
    source        text not null,
    level         text not null default 'info',
    message       text not null,
    data          text not null default '{}',
    created_at    text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index if not exists job_events_source_time_idx on job_events (source, julianday(created_at), id);
create index if not exists job_events_time_idx on job_events (julianday(created_at), id);

create table if not exists metrics (
    id            text primary key default (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    name          text not null,
    value         real not null,
    labels        text not null default '{}',
    created_at    text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index if not exists metrics_name_time_idx on metrics (name, julianday(created_at), id);

create table if not exists ai_call_log (
    id                 text primary key default (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    created_at         text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    tool               text not null,
    model              text,
    outcome            text not null,
    latency_ms         real not null default 0,
    prompt_tokens      integer,
    completion_tokens  integer,
    prompt_hash        text,
    prompt             text,
    answer             text
);
create index if not exists ai_call_log_created_idx on ai_call_log (julianday(created_at));

-- Marks a store that `db init --demo` (or the first use of the default store) filled with sample data.
create table if not exists store_info (
    key           text primary key,
    value         text not null
);
