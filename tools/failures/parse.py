"""Read an error and its stack: exception chain, frames, the job's own innermost frame, hosts, hints.

Formats: Python tracebacks (with "During handling of the above exception" / "The above exception was
the direct cause" chains and urllib3's inline "(Caused by X(...))"), Node (`at fn (file:line:col)`,
`[cause]:`), Java (`at pkg.Cls.method(File.java:42)`, `Caused by:`) and Go (`panic:`, `file.go:12 +0x..`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

_PY_CHAIN = re.compile(
    r"^(During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:)\s*$",
    re.M,
)
_PY_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+), in (\S+)\s*$')
_NODE_FRAME = re.compile(
    r"^\s*at (?:async )?(?:(.+?) \()?((?:[A-Za-z]:)?[^():\s]+):(\d+)(?::\d+)?\)?\s*\{?\s*$"
)
_JAVA_FRAME = re.compile(r"^\s*at ([\w$.<>]+)\(([\w$.-]+):(\d+)\)\s*$")
_GO_FRAME = re.compile(r"^\s+(/\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?\s*$")
# An exception line: dotted name whose last part looks like an exception, then ": message" or EOL.
_EXC_LINE = re.compile(
    r"^(?:Caused by: |\[cause\]: |Uncaught |Unhandled rejection )?"
    r"((?:[a-z_]\w*\.)*(?:[A-Z]\w*|gaierror|herror|timeout))(?::\s?(.*))?$"
)
# The last part of a name must look like an exception class (not "Traceback" or "DETAIL").
_EXC_SUFFIX = re.compile(
    r"(Error|Exception|Exit|Timeout|Failure|Violation|Warning|Refused|Deadlock\w*|NotFound|Denied|Unavailable|"
    r"Exceeded|Throttled|Conflict|Gone|Aborted|Cancelled|Canceled|BadRequest|Forbidden|Unauthorized|"
    r"Unauthenticated|Expired|NoSuchKey|NoSuchBucket|_InactiveRpcError|Unknown|DataLoss|RetryError|Interrupt|"
    r"ResultFound|ResultsFound|DoesNotExist|"
    r"Protocol|TooManyRequests|ResourceExhausted|ServiceUnavailable|InternalServerError|BadGateway|"
    r"GatewayTimeout|AlreadyExists|FailedPrecondition|OutOfRange|InvalidArgument|MethodNotImplemented|"
    r"TemplateNotFound|InvalidOperation|BadZipFile|gaierror|herror|socket\.timeout)$"
)
_NOT_EXC = {"HINT", "DETAIL", "CONTEXT", "NOTE", "LINE"}
_NODE_LOWER = re.compile(r"^(error|panic|fatal error|FATAL|ERROR):\s+(.*)$")
_INLINE_CAUSE = re.compile(r"\(Caused by (\w+)\((.*)\)\)")

_LIB_MARKERS = (
    "site-packages",
    "dist-packages",
    "node_modules",
    "/lib/python",
    "node:",
    "<frozen",
    "/usr/local/go/",
    "/go/pkg/mod/",
    "internal/",
)
_JAVA_LIB = ("java.", "javax.", "jdk.", "sun.", "org.springframework.", "org.postgresql.", "com.zaxxer.")


@dataclass
class Frame:
    file: str
    line: int
    func: str
    code: str = ""
    library: bool = False

    def short(self) -> str:
        name = self.file.rsplit("/", 3)
        return f"{'/'.join(name[-2:])}:{self.line} in {self.func}"


@dataclass
class ExcLine:
    name: str
    message: str


@dataclass
class ParsedError:
    """Everything the rules look at. `text` is error + stack without frame lines (messages only)."""

    text: str
    exceptions: list[ExcLine] = field(default_factory=list)  # outermost first, innermost (root) last
    frames: list[Frame] = field(default_factory=list)
    app_frame: Frame | None = None
    hosts: list[str] = field(default_factory=list)

    @property
    def root(self) -> ExcLine | None:
        return self.exceptions[-1] if self.exceptions else None

    @property
    def outer(self) -> ExcLine | None:
        return self.exceptions[0] if self.exceptions else None

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.exceptions]


def _is_lib(path: str) -> bool:
    # A Node frame without a directory ("dns.js:57") is a core module.
    core_js = path.endswith((".js", ".mjs", ".cjs")) and "/" not in path and "\\" not in path
    return core_js or any(m in path for m in _LIB_MARKERS) or path.startswith(_JAVA_LIB)


def _frames(stack: str) -> list[tuple[Frame, bool]]:
    """Frames in printed order, each with `innermost_last` (True for Python-style tracebacks)."""
    out: list[tuple[Frame, bool]] = []
    lines = stack.splitlines()
    for i, line in enumerate(lines):
        if m := _PY_FRAME.match(line):
            code = lines[i + 1].strip() if i + 1 < len(lines) and not _PY_FRAME.match(lines[i + 1]) else ""
            out.append((Frame(m[1], int(m[2]), m[3], code, _is_lib(m[1])), True))
        elif m := _JAVA_FRAME.match(line):
            out.append((Frame(m[2], int(m[3]), m[1], "", _is_lib(m[1])), False))
        elif m := _NODE_FRAME.match(line):
            out.append((Frame(m[2], int(m[3]), m[1] or "<anonymous>", "", _is_lib(m[2])), False))
        elif m := _GO_FRAME.match(line):
            func = lines[i - 1].strip() if i else "?"
            out.append((Frame(m[1], int(m[2]), func, "", _is_lib(m[1])), False))
    return out


def _is_frame_line(line: str, prev_was_py_frame: bool) -> bool:
    return bool(
        _PY_FRAME.match(line)
        or _NODE_FRAME.match(line)
        or _JAVA_FRAME.match(line)
        or _GO_FRAME.match(line)
        or (prev_was_py_frame and line.startswith("    "))
        or line.strip() in {"Traceback (most recent call last):", "^^^^^^^^^^"}
        or re.fullmatch(r"\s*[~^]+\s*", line) is not None
    )


def message_text(error: str, stack: str) -> str:
    """Error plus the stack's non-frame lines (messages, DETAIL/HINT, Node error properties)."""
    kept: list[str] = []
    prev_py = False
    for line in stack.splitlines():
        if _is_frame_line(line, prev_py):
            prev_py = bool(_PY_FRAME.match(line))
            continue
        prev_py = False
        kept.append(line)
    body = _clip("\n".join(kept).strip(), STACK_HEAD, STACK_TAIL)
    error = _clip(error.strip(), ERROR_HEAD, 0)
    if body and error and error[:200] in body:
        return body
    return (error + "\n" + body).strip()


# The rules read at most this much message text: enough for any real error, and it bounds the work.
ERROR_HEAD = 6_000
STACK_HEAD, STACK_TAIL = 4_000, 10_000
LINE_MAX = 2_000


def _clip(text: str, head: int, tail: int) -> str:
    lines = [ln if len(ln) <= LINE_MAX else ln[:LINE_MAX] + " [...]" for ln in text.splitlines()]
    text = "\n".join(lines)
    if len(text) <= head + tail:
        return text
    # Node/Java print the error first, Python last: keep both ends.
    return text[:head] + "\n[...]\n" + (text[-tail:] if tail else "")


def _exceptions(text: str) -> list[ExcLine]:
    """Exception lines in printed order; an inline "(Caused by X(...))" follows the line it sits in."""
    found: list[ExcLine] = []
    for line in text.splitlines():
        s = line.strip()
        if (
            (m := _EXC_LINE.match(s))
            and (_EXC_SUFFIX.search(m[1]) or re.search(r"\.(errors|exceptions|exc)\.[A-Z]", m[1]))
            and m[1] not in _NOT_EXC
        ):
            found.append(ExcLine(m[1], (m[2] or "").strip()))
        elif m := _NODE_LOWER.match(s):
            found.append(ExcLine(m[1].lower(), m[2].strip()))
        else:
            continue
        found.extend(ExcLine(c[1], c[2]) for c in _INLINE_CAUSE.finditer(s))
    return found


def _dedupe(excs: list[ExcLine]) -> list[ExcLine]:
    out: list[ExcLine] = []
    for e in excs:
        if not out or out[-1].name != e.name:
            out.append(e)
    return out


def parse(error: str, stack: str | None) -> ParsedError:
    stack = stack or ""
    text = message_text(error or "", stack)
    stack_excs = _exceptions(message_text("", stack)) if stack else []
    if _PY_CHAIN.search(stack):
        # Python prints the root cause first and the latest exception last: make index 0 the outermost.
        stack_excs = list(reversed(stack_excs))
    error_excs = _exceptions(error or "")
    if stack_excs and error_excs and error_excs[0].name == stack_excs[0].name:
        uniq = _dedupe(stack_excs)
    else:
        # The logged error wraps what the stack shows (or there is no stack): it is the outermost.
        uniq = _dedupe(error_excs + stack_excs)
    frames_raw = _frames(stack)
    frames = [f for f, _ in frames_raw]
    app: Frame | None = None
    app_frames = [(f, py) for f, py in frames_raw if not f.library]
    if app_frames:
        # Python: innermost is the last app frame printed; Node/Java/Go: the first one printed.
        py_style = [f for f, py in app_frames if py]
        app = py_style[-1] if py_style else app_frames[0][0]
    hosts = re.findall(
        r"(?:https?|wss?|postgres(?:ql)?)://(?:[^@/\s'\"]*@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,})", text
    )
    hosts += re.findall(r"host='([A-Za-z0-9.-]+)'", text)
    hosts += re.findall(r"hostname: '([^'\s]+)'", text)
    hosts += re.findall(
        r"(?:ENOTFOUND|EAI_AGAIN|getaddrinfo \w+|connecting to|lookup) ([A-Za-z0-9.-]+\.[a-z]{2,})", text
    )
    hosts += re.findall(r'connection to server at "([A-Za-z0-9.-]+)"', text)
    return ParsedError(
        text=text, exceptions=uniq, frames=frames, app_frame=app, hosts=list(dict.fromkeys(hosts))
    )


# ---- retry hints -----------------------------------------------------------------------------------

_UNIT = r"(?:milliseconds?|ms|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s|days?|d)(?![a-z])"
_DUR_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(" + _UNIT + ")", re.I)
_HINTS = [
    re.compile(r"retry[-_ ]after['\"]?\s*[:=]\s*['\"]?(\d+(?:\.\d+)?)\b", re.I),
    re.compile(r"retryDelay['\"]?\s*[:=]\s*['\"]?(\d+(?:\.\d+)?)s", re.I),
    re.compile(
        r"x-ratelimit-reset(?:-requests|-tokens)?['\"]?\s*[:=]\s*['\"]?((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)", re.I
    ),
]
_PHRASE = re.compile(
    r"(?:try again|retry|retrying|please retry|wait|reset[s]?|available again)\s+(?:in|after|for)\s+"
    r"(?:about\s+|approximately\s+)?((?:\d+(?:\.\d+)?\s*" + _UNIT + r"[\s,]*(?:and\s+)?)+)",
    re.I,
)


def _duration(s: str) -> float | None:
    total = 0.0
    hit = False
    for num, unit in _DUR_PART.findall(s):
        u = unit.lower()
        if u.startswith("d"):
            mult = 86400.0
        elif u == "ms" or u.startswith("milli"):
            mult = 0.001
        elif u.startswith("h"):
            mult = 3600.0
        elif u.startswith("m"):
            mult = 60.0
        else:
            mult = 1.0
        total += float(num) * mult
        hit = True
    return total if hit else None


def retry_after(text: str) -> float | None:
    """Seconds the server asked us to wait: Retry-After, RetryInfo, rate-limit reset headers, prose."""
    for rx in _HINTS:
        if m := rx.search(text):
            val = m.group(1)
            if re.fullmatch(r"\d+(?:\.\d+)?", val):
                return float(val)
            if (d := _duration(val)) is not None:
                return d
    if m := _PHRASE.search(text):
        return _duration(m.group(1))
    return None


def ceil_seconds(value: float) -> int:
    return max(1, math.ceil(value))
