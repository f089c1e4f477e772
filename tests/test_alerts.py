"""AlertSender against a real loopback HTTP server with scripted faults (200, 5xx, 429, hang, 4xx)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import pytest

from aiops_mcp.server.alerts import Alert, AlertSender


class Hook:
    """A webhook that answers each request with the next scripted behaviour (the last one repeats)."""

    def __init__(self, script: list[tuple[int, dict[str, str]] | str]) -> None:
        self.script = script
        self.bodies: list[dict] = []
        self.release = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.bodies.append(body)
                step = hook.script[min(len(hook.bodies) - 1, len(hook.script) - 1)]
                if step == "hang":
                    hook.release.wait(5)
                    return
                status, headers = step
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook_factory() -> Iterator:
    made: list[Hook] = []

    def make(*script: tuple[int, dict[str, str]] | str) -> Hook:
        h = Hook(list(script))
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def _alert(key: str = "incident:anomaly:queue_depth", text: str = "queue depth 5x normal") -> Alert:
    return Alert(
        source="predict_incidents", key=key, severity="critical", title="Predicted incident", text=text
    )


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await anyio.sleep(0)


async def _run_until(sender: AlertSender, done) -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(sender.run)
        with anyio.fail_after(10):
            while not done():
                await anyio.sleep(0.01)
        await sender.aclose()
        tg.cancel_scope.cancel()


@pytest.mark.anyio
async def test_alert_is_posted_redacted_as_slack_text(hook_factory) -> None:
    hook = hook_factory((200, {}))
    sender = AlertSender(hook.url, redact=lambda s: s.replace("alice@example.com", "<EMAIL_1>"))
    sender.submit(_alert(text="failures for alice@example.com"))
    await _run_until(sender, lambda: sender.stats.sent == 1)
    assert len(hook.bodies) == 1
    text = hook.bodies[0]["text"]
    assert "<EMAIL_1>" in text and "alice@example.com" not in text
    assert "CRITICAL" in text and "Predicted incident" in text
    assert sender.stats.failed == 0 and sender.stats.retried == 0


@pytest.mark.anyio
async def test_server_error_is_retried_then_sent(hook_factory) -> None:
    hook = hook_factory((500, {}), (200, {}))
    sleep = RecordedSleep()
    sender = AlertSender(hook.url, sleep=sleep, backoff_base_s=0.5)
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.sent == 1)
    assert len(hook.bodies) == 2
    assert sender.stats.retried == 1
    assert sleep.delays == [0.5]


@pytest.mark.anyio
async def test_429_honours_retry_after(hook_factory) -> None:
    hook = hook_factory((429, {"Retry-After": "7"}), (200, {}))
    sleep = RecordedSleep()
    sender = AlertSender(hook.url, sleep=sleep)
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.sent == 1)
    assert sleep.delays == [7.0]
    assert len(hook.bodies) == 2


@pytest.mark.anyio
async def test_hanging_webhook_times_out_and_counts_failure(hook_factory) -> None:
    hook = hook_factory("hang")
    sleep = RecordedSleep()
    sender = AlertSender(hook.url, timeout_s=0.2, max_attempts=2, sleep=sleep)
    sender.submit(_alert())
    # submit only queued it: nothing has been sent or failed yet
    assert sender.stats.sent == 0 and sender.stats.failed == 0 and sender.stats.submitted == 1
    await _run_until(sender, lambda: sender.stats.failed == 1)
    assert sender.stats.last_error == "timeout"
    assert sender.stats.retried == 1
    assert len(hook.bodies) == 2


@pytest.mark.anyio
async def test_exhausted_retries_on_5xx_and_no_retry_on_4xx(hook_factory) -> None:
    bad = hook_factory((503, {}))
    sleep = RecordedSleep()
    sender = AlertSender(bad.url, max_attempts=3, sleep=sleep, backoff_base_s=1.0)
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.failed == 1)
    assert len(bad.bodies) == 3 and sleep.delays == [1.0, 2.0]

    gone = hook_factory((404, {}))
    sender = AlertSender(gone.url, sleep=RecordedSleep())
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.failed == 1)
    assert len(gone.bodies) == 1 and sender.stats.retried == 0
    assert sender.stats.last_error == "http_404"


@pytest.mark.anyio
async def test_connection_refused_is_a_counted_failure() -> None:
    sender = AlertSender("http://127.0.0.1:9/hook", max_attempts=2, sleep=RecordedSleep(), timeout_s=1.0)
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.failed == 1)
    assert sender.stats.last_error is not None and sender.stats.last_error.startswith("connection")


@pytest.mark.anyio
async def test_same_finding_is_not_resent_within_quiet_period(hook_factory) -> None:
    hook = hook_factory((200, {}))
    now = [1000.0]
    sender = AlertSender(hook.url, quiet_period_s=900, clock=lambda: now[0])
    sender.submit(_alert())
    sender.submit(_alert())  # same key, same moment
    sender.submit(_alert(key="dlq:other"))  # a different finding goes out
    now[0] += 899
    sender.submit(_alert())
    assert sender.stats.deduplicated == 2
    now[0] += 2  # the quiet period is over
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.sent == 3)
    assert len(hook.bodies) == 3


@pytest.mark.anyio
async def test_failed_finding_may_be_sent_again(hook_factory) -> None:
    hook = hook_factory((404, {}), (200, {}))
    sender = AlertSender(hook.url, sleep=RecordedSleep())
    async with anyio.create_task_group() as tg:
        tg.start_soon(sender.run)
        sender.submit(_alert())
        with anyio.fail_after(10):
            while sender.stats.failed < 1:
                await anyio.sleep(0.01)
            sender.submit(_alert())  # not deduplicated: the first one never arrived
            assert sender.stats.deduplicated == 0
            while sender.stats.sent < 1:
                await anyio.sleep(0.01)
        await sender.aclose()
        tg.cancel_scope.cancel()
    assert len(hook.bodies) == 2


def test_submit_never_raises_or_blocks() -> None:
    def broken(_: str) -> str:
        raise RuntimeError("redactor down")

    sender = AlertSender("http://127.0.0.1:9/hook", redact=broken)
    started = time.perf_counter()
    for i in range(500):  # no event loop, no run(): submit still only queues
        sender.submit(_alert(key=f"k{i}"))
    assert sender.stats.submitted == 500 and sender.stats.dropped == 400
    assert time.perf_counter() - started < 5  # generous: a blocking submit would take minutes
    AlertSender(None).submit(_alert())  # no webhook configured: a no-op


@pytest.mark.anyio
async def test_redaction_failure_sends_nothing(hook_factory) -> None:
    hook = hook_factory((200, {}))

    def broken(_: str) -> str:
        raise RuntimeError("redactor down")

    sender = AlertSender(hook.url, redact=broken)
    sender.submit(_alert())
    await _run_until(sender, lambda: sender.stats.failed == 1)
    assert hook.bodies == []
    assert "redaction" in (sender.stats.last_error or "")
