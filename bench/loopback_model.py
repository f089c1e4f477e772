"""The loopback OpenAI-compatible server (tests/fake_openai.py) in its own process, for benchmarks.

Its own process so its CPU does not share the benchmark's GIL. Prints its base URL on the first line
of stdout, then serves until killed. Models named in --dead answer 503; every other model answers a
JSON object that quotes the placeholders of the prompt (as a model citing its input would).

    python bench/loopback_model.py --dead dead
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?_\d{1,6}>")


def answer(body: dict[str, Any]) -> str:
    """A JSON answer valid for the requested schema, quoting the prompt's placeholders."""
    from tests.fault_matrix_support import schema_responder

    if (body.get("response_format") or {}).get("type") == "json_schema":
        return schema_responder(body)
    user = body["messages"][-1]["content"] if body.get("messages") else ""
    seen = sorted(set(PLACEHOLDER.findall(user)))[:4]
    return json.dumps({"verdict": "retry", "note": "seen " + " ".join(seen)})


def main() -> None:
    sys.path.insert(0, str(REPO))

    from tests.fake_openai import FakeOpenAI

    p = argparse.ArgumentParser()
    p.add_argument("--dead", default="", help="comma-separated model names that answer 503")
    opts = p.parse_args()
    fake = FakeOpenAI()
    fake.responder = answer
    for name in filter(None, opts.dead.split(",")):
        fake.script(name, "503")
    fake.start()
    print(fake.base_url, flush=True)

    def forget() -> None:
        # The fake records every request; a benchmark sends tens of thousands.
        while True:
            time.sleep(1.0)
            with fake._lock:
                fake.requests.clear()
                fake.raw_bodies.clear()

    threading.Thread(target=forget, daemon=True).start()
    try:
        sys.stdin.read()  # until the parent closes our stdin (or kills us)
    finally:
        fake.stop()


class LoopbackModel:
    """Context manager: start the server process, expose `base_url`, stop it on exit."""

    def __init__(self, dead: str = "dead") -> None:
        self.dead = dead
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> LoopbackModel:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--dead", self.dead],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("loopback model server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


if __name__ == "__main__":
    main()
