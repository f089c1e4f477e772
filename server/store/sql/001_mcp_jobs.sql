-- aiops-mcp: the mcp_jobs schema (jobs, dead-letter queue, job events, metrics, model-call audit).
-- One source of truth: supabase/migrations/*_mcp_jobs.sql is a byte-for-byte copy (a test checks it).
-- Idempotent: safe to run again (`aiops-mcp db init`, the Supabase SQL editor, `supabase db push`).
-- Supabase: afterwards add mcp_jobs to the API's exposed schemas (Dashboard > Settings > API).

create schema if not exists mcp_jobs;

create table if not exists mcp_jobs.jobs (
    id            uuid primary key default gen_random_uuid(),
    job_type      text not null,
    status        text not null default 'pending',
    payload       jsonb not null default '{}'::jsonb,
    retry_count   integer not null default 0,
    max_retries   integer not null default 3,
    error         text,
    error_stack   text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create index if not exists jobs_status_created_idx on mcp_jobs.jobs (status, created_at desc);

-- No foreign key to jobs: a dead-letter item outlives the job row it came from.
create table if not exists mcp_jobs.dead_letter_queue (
    id            uuid primary key default gen_random_uuid(),
    job_id        uuid,
    job_type      text not null,
    error         text not null default '',
    error_stack   text,
    retry_count   integer not null default 0,
    max_retries   integer not null default 3,
    payload       jsonb not null default '{}'::jsonb,
    resolved      boolean not null default false,
    created_at    timestamptz not null default now(),
    failed_at     timestamptz not null default now()
);
create index if not exists dead_letter_queue_unresolved_idx
    on mcp_jobs.dead_letter_queue (failed_at desc) where resolved is not true;

create table if not exists mcp_jobs.job_events (
    id            uuid primary key default gen_random_uuid(),
    job_id        uuid,
    source        text not null,
    level         text not null default 'info',
    message       text not null,
    data          jsonb not null default '{}'::jsonb,
    created_at    timestamptz not null default now()
);
-- Windows are read by (source, time) and paged by (time, id).
create index if not exists job_events_source_time_idx on mcp_jobs.job_events (source, created_at, id);
create index if not exists job_events_time_idx on mcp_jobs.job_events (created_at, id);

create table if not exists mcp_jobs.metrics (
    id            uuid primary key default gen_random_uuid(),
    name          text not null,
    value         double precision not null,
    labels        jsonb not null default '{}'::jsonb,
    created_at    timestamptz not null default now()
);
create index if not exists metrics_name_time_idx on mcp_jobs.metrics (name, created_at, id);

-- The gateway's audit trail: one row per model call; prompt and answer are stored redacted.
create table if not exists mcp_jobs.ai_call_log (
    id                 uuid primary key default gen_random_uuid(),
    created_at         timestamptz not null default now(),
    tool               text not null,
    model              text,
    outcome            text not null,
    latency_ms         double precision not null default 0,
    prompt_tokens      integer,
    completion_tokens  integer,
    prompt_hash        text,
    prompt             text,
    answer             text
);
create index if not exists ai_call_log_created_idx on mcp_jobs.ai_call_log (created_at);

-- On Supabase only (the role exists there): the server reads with the service-role key, and row
-- level security with no policy keeps the anon and authenticated keys out of these tables.
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'service_role') then
        grant usage on schema mcp_jobs to service_role;
        grant select, insert, update, delete on all tables in schema mcp_jobs to service_role;
        alter default privileges in schema mcp_jobs
            grant select, insert, update, delete on tables to service_role;
        alter table mcp_jobs.jobs enable row level security;
        alter table mcp_jobs.dead_letter_queue enable row level security;
        alter table mcp_jobs.job_events enable row level security;
        alter table mcp_jobs.metrics enable row level security;
        alter table mcp_jobs.ai_call_log enable row level security;
    end if;
end
$$;
