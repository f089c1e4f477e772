"""MCP wrapper of `summarize_logs`: templates, counts, error patterns and latencies instead of raw lines."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.logs.models import LogSummary

RESULT = "aiops_mcp.tools.logs.models:LogSummary"

DESCRIPTION = """Summarise logs like an on-call expert: mines templates (variables as <*>), counts them,
ranks error patterns, summarises durations/latencies per template (p50/p95/max, outliers), finds bursts,
and recommends actions. Give lines, or text, or source + start + end to read job events from the store
(start/end: ISO 8601 or "last 1h"). Sends progress notifications on large inputs."""

_CHUNK = 5000


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @tool(
        target,
        name="summarize_logs",
        description=DESCRIPTION,
        annotations=annotations("Summarize logs", open_world=True),
        result=RESULT,
    )
    @guarded("summarize_logs", rt.usage)
    async def summarize_logs(
        ctx: Context,
        lines: Annotated[list[str] | None, Field(description="Log lines, oldest first.")] = None,
        text: Annotated[str | None, Field(description="A log as one text (split on newlines).")] = None,
        source: Annotated[
            str | None, Field(description="Job-event source in the store, e.g. sync-worker.")
        ] = None,
        start: Annotated[str | None, Field(description='Window start: ISO 8601 or "last 1h".')] = None,
        end: Annotated[str | None, Field(description="Window end: ISO 8601 (default now).")] = None,
        max_patterns: Annotated[int, Field(ge=1, le=500, description="Most patterns returned.")] = 50,
        sample: Annotated[
            bool,
            Field(
                description="When the store window holds more than limits.max_store_rows events, read a "
                "time-stratified sample of that many instead of refusing."
            ),
        ] = False,
    ) -> "LogSummary":
        limits = rt.settings.limits
        check_size("lines", lines, limits.max_input_bytes)
        check_size("text", text, limits.max_input_bytes)
        given = [name for name, v in (("lines", lines), ("text", text)) if v is not None]
        if len(given) > 1:
            raise ValueError("give lines or text, not both")
        if not given and not (source or start):
            raise ValueError("give lines, text, or source + start (+ end) to read job events from the store")
        from aiops_mcp.tools.logs.llm import ASSIST
        from aiops_mcp.tools.logs.models import SummarizeInput
        from aiops_mcp.tools.logs.summary import LogSummarizer

        summarizer = LogSummarizer()
        problems: list[str] = []
        count = 0
        in_window = 0
        if given:
            items = lines if lines is not None else (text or "").splitlines()
            if len(items) > limits.max_lines:
                raise ValueError(f"{len(items):,} lines is over limits.max_lines ({limits.max_lines:,})")
            total = len(items)
            for offset in range(0, total, _CHUNK):
                for line in items[offset : offset + _CHUNK]:
                    summarizer.feed(line)
                if total > _CHUNK:
                    await ctx.report_progress(min(offset + _CHUNK, total), total, "mining templates")
                    await anyio.sleep(0)
        else:
            from aiops_mcp.server.store import WindowTooLarge, collect_row_problems, parse_window

            window_start, window_end = parse_window(start, end, now=datetime.now(UTC))
            # Counted once here and handed to the store, so the summary can say when it is a sample.
            in_window = await rt.store.count_job_events(source, window_start, window_end)
            try:
                with collect_row_problems() as found:
                    async for event in rt.store.job_events(
                        source,
                        window_start,
                        window_end,
                        max_rows=limits.max_store_rows,
                        overflow="sample" if sample else "refuse",
                        total=in_window,
                    ):
                        summarizer.feed(event.message, timestamp=event.created_at, level=event.level)
                        count += 1
                        if count % _CHUNK == 0:
                            await ctx.report_progress(count, None, "reading job events")
            except WindowTooLarge as exc:
                raise ToolError(f"{exc} (summarize_logs: pass sample=true)") from None
            problems = [str(p) for p in found]
        inp = SummarizeInput(lines=lines, text=text, max_patterns=max_patterns)
        result = await rt.answer("summarize_logs", inp, summarizer.result(max_patterns=max_patterns), ASSIST)
        result.meta.data_problems = problems
        if in_window > limits.max_store_rows:  # the store read a sample, not the window
            result.summary = (
                f"[sample: {count:,} of {in_window:,} events, spread over the window] " + result.summary
            )
        return result
