"""Language-level exceptions (Python, Node, Java, Go) and decoding/validation errors."""

from __future__ import annotations

import re

from .parse import ParsedError
from .verdict import Verdict

# Exceptions that mean "our code is wrong": the same input takes the same path again.
_CODE_EXC = {
    "PendingRollbackError": "Roll back the session after a failed flush (session.rollback()) before reusing it.",
    "KeyError": "Guard the lookup (dict.get / explicit check) or fix the code that builds the mapping.",
    "AttributeError": "Handle the None/unexpected type before the attribute access.",
    "TypeError": "Fix the type mismatch (argument types, None handling) in the job code.",
    "NameError": "Fix the undefined name in the job code.",
    "UnboundLocalError": "Initialise the variable on every code path.",
    "IndexError": "Check the sequence length before indexing (empty result case).",
    "ZeroDivisionError": "Guard the division against a zero denominator.",
    "AssertionError": "Fix the violated invariant in the job code.",
    "NotImplementedError": "Implement the missing branch or route the job elsewhere.",
    "RecursionError": "Remove the unbounded recursion.",
    "ImportError": "Add the missing dependency to the worker image and redeploy.",
    "ModuleNotFoundError": "Add the missing dependency to the worker image and redeploy.",
    "TemplateNotFound": "Ship the missing template in the image and redeploy.",
    "ReferenceError": "Fix the undefined reference in the job code.",
    "NullPointerException": "Handle the null value before use.",
    "ClassCastException": "Fix the type conversion.",
    "IllegalStateException": "Fix the state handling in the code.",
    "IllegalArgumentException": "Fix the argument the code passes.",
    "UnsupportedOperationException": "Implement or avoid the operation.",
    "ArrayIndexOutOfBoundsException": "Check the index before access.",
    "SyntaxError": "Fix the syntax error and redeploy.",
}
_DATA_EXC = {
    "NoResultFound": "The record the job expects does not exist: check the id in the payload.",
    "MultipleResultsFound": "The lookup matched several records: deduplicate them or narrow the key.",
    "ObjectDoesNotExist": "The record the job expects does not exist: check the id in the payload.",
    "DoesNotExist": "The record the job expects does not exist: check the id in the payload.",
    "PdfReadError": "The PDF is corrupt or truncated; ask for a new upload.",
    "FileDataError": "The document is corrupt; ask for a new upload.",
    "InvalidFileException": "The file is not in a supported format (e.g. .xls vs .xlsx); convert it or re-export.",
    "UnidentifiedImageError": "The image is corrupt or in an unsupported format.",
    "UnicodeDecodeError": "The input file is not in the expected encoding: detect/convert it (e.g. UTF-16, "
    "cp1252) or reject the upload with a clear message.",
    "UnicodeEncodeError": "Encode the output with UTF-8 or sanitise the characters.",
    "InvalidOperation": "Validate/normalise the numeric input (thousands separators, blanks) before Decimal().",
    "NumberFormatException": "Validate/normalise the numeric input.",
    "DateTimeParseException": "Validate/normalise the date input.",
    "InvalidDate": "Validate/normalise the date input.",
    "FileNotFoundError": "The file named in the payload does not exist: fix the path or upload it first.",
    "BadZipFile": "The uploaded file is corrupt or not the expected format; ask for a new upload.",
    "ParserError": "The input file is malformed; fix or re-export it.",
    "EmptyDataError": "The input file is empty; re-export it.",
}
_INFRA_PERM = re.compile(
    r"PermissionError|\[Errno 13\]|EACCES|Read-only file system|\[Errno 30\]|EROFS|No space left on device|"
    r"ENOSPC|\[Errno 28\]|MemoryError|OutOfMemoryError|heap out of memory|OOMKilled|Too many open files|EMFILE",
    re.I,
)


def _last_name(p: ParsedError, candidates: dict[str, str]) -> tuple[str, str] | None:
    for exc in reversed(p.exceptions):  # innermost first: the root cause decides
        short = exc.name.rsplit(".", 1)[-1]
        if short in candidates:
            return short, exc.message
    return None


def _json_decode(p: ParsedError) -> Verdict | None:
    t = p.text
    if not re.search(
        r"JSONDecodeError|Expecting value|Unexpected token .{1,3} in JSON|Unexpected end of JSON|"
        r"is not valid JSON|invalid character '<'|ContentTypeError|unexpected mimetype",
        t,
    ):
        return None
    html = re.search(
        r"<!DOCTYPE|<html|Unexpected token <|invalid character '<'|text/html|"
        r"\b5\d\d\b.*(gateway|server error|unavailable)",
        t,
        re.I,
    )
    at_start = re.search(r"line 1 column 1 \(char 0\)|position [01]\b|Unexpected end of JSON input", t)
    from_payload = p.app_frame and re.search(r"payload|job\.|\bargs\b|params", p.app_frame.code or "")
    if (html or at_start) and not from_payload:
        return Verdict(
            "transient",
            "external",
            "decode.non_json_body",
            "The response body was not JSON (an HTML error page or empty body from an upstream 5xx/timeout); "
            "the call itself failed transiently.",
            "Check the HTTP status before decoding (raise_for_status), and retry 5xx/HTML responses with backoff.",
            0.7,
            "upstream",
            backoff_base=30.0,
        )
    return Verdict(
        "permanent",
        "data",
        "decode.malformed_json",
        "A JSON document from the payload/record is malformed; decoding it fails the same way every time.",
        "Fix the malformed JSON field in the record (validate it where it is written) and replay.",
        0.75,
        "data",
    )


def _validation(p: ParsedError) -> Verdict | None:
    m = re.search(r"ValidationError: \d+ validation errors? for (\w+)", p.text)
    if not m and not re.search(r"\bValidationError\b|ZodError|ajv|jsonschema", p.text):
        return None
    model = m[1] if m else ""
    payloadish = re.search(r"Payload|Input|Request|Args|Params|Job|Config|Settings", model) or (
        p.app_frame is not None and re.search(r"payload|job\.", p.app_frame.code or "")
    )
    field = re.search(r"\n(\w[\w.]*)\n\s+(Field required|.*\[type=)", p.text)
    subject = field[1] if field else None
    if payloadish or not model:
        return Verdict(
            "permanent",
            "data",
            "validation.payload",
            f"The job payload fails schema validation{f' ({model})' if model else ''}; the same payload always fails.",
            "Fix the payload at its producer (or normalise the field) and replay; validate payloads on enqueue.",
            0.85,
            "data",
            subject=subject,
        )
    return Verdict(
        "permanent",
        "code",
        "validation.response_schema",
        f"A provider response no longer matches our model {model} (schema drift); the code must change.",
        f"Update {model} to the provider's current response (make the field optional or map it), redeploy, "
        "replay.",
        0.8,
        "code",
        subject=subject,
    )


_BAD_URL = re.compile(
    r"UnsupportedProtocol|InvalidURL|MissingSchema|InvalidSchema|ERR_INVALID_URL|Invalid URL|"
    r"missing an 'http://' or 'https://' protocol|No connection adapters were found|unsupported protocol scheme",
    re.I,
)


def classify(p: ParsedError) -> Verdict | None:
    if _BAD_URL.search(p.text):
        return Verdict(
            "permanent",
            "code",
            "http.invalid_url",
            "The request URL is malformed (no scheme/host); the code or config builds it wrong.",
            "Fix how the URL is built (base URL env var missing a scheme, empty host) and redeploy.",
            0.85,
            "code",
        )
    if v := _json_decode(p):
        return v
    if v := _validation(p):
        return v
    t = p.text
    if m := _INFRA_PERM.search(t):
        perm = re.search(r"PermissionError|Errno 13|EACCES|Read-only|EROFS|Errno 30", m[0], re.I)
        return Verdict(
            "permanent",
            "infra",
            "os.resource",
            f"Worker environment problem ({m[0]}): the filesystem/memory limits or permissions of the worker "
            "must change.",
            "Fix the volume mount/ownership (or the path the job writes to) so the worker user can write it."
            if perm
            else "Free disk or raise the worker's memory/file-descriptor limits (or process the input in chunks).",
            0.8,
            "infra",
        )
    hit = _last_name(p, _DATA_EXC)
    if hit:
        return Verdict(
            "permanent",
            "data",
            f"py.{hit[0]}",
            f"{hit[0]}: the input record/file is invalid.",
            _DATA_EXC[hit[0]],
            0.8,
            "data",
            subject=None,
        )
    hit = _last_name(p, _CODE_EXC)
    if hit:
        name, msg = hit
        subject = msg.strip("'\"")[:60] or None
        where = f" at {p.app_frame.short()}" if p.app_frame else ""
        fix = _CODE_EXC[name]
        if name == "KeyError" and subject:
            fix = (
                f"Handle records without key '{subject}' (use .get() with a default or skip the field){where}; "
                "add a test with such a record, redeploy and replay."
            )
        return Verdict(
            "permanent",
            "code",
            f"py.{name}",
            f"{name}{where}: a bug in the job code for this input.",
            fix,
            0.85,
            "code",
            subject=subject,
        )
    if re.search(
        r"Cannot read propert(y|ies) of (undefined|null)|is not a function|is not defined|"
        r"nil pointer dereference|index out of range|invalid memory address",
        t,
    ):
        return Verdict(
            "permanent",
            "code",
            "js.runtime",
            "A runtime bug in the job code.",
            "Fix the null/undefined handling in the job code and redeploy.",
            0.8,
            "code",
        )
    if re.search(
        r"not enough values to unpack|too many values to unpack|truth value of .* is ambiguous|"
        r"Cannot find module|ERR_MODULE_NOT_FOUND|ERR_REQUIRE_ESM|is not iterable|"
        r"ParamValidationError|Parameter validation failed|another operation is in progress|"
        r"InterfaceError: cannot perform operation",
        t,
    ):
        return Verdict(
            "permanent",
            "code",
            "code.bug",
            "A programming/packaging error in the job code.",
            "Fix the code (or add the missing module to the image) and redeploy.",
            0.8,
            "code",
        )
    if re.search(r"CancelledError|Worker lost|WorkerLostError|SIGTERM|graceful shutdown", t):
        return Verdict(
            "transient",
            "infra",
            "worker.interrupted",
            "The worker was stopped mid-job (deploy/scale-in).",
            "Retry; make the job idempotent so a re-run after interruption is safe.",
            0.7,
            "worker",
            backoff_base=5.0,
        )
    if re.search(r"\bValueError\b|invalid literal for|could not convert|RangeError|Invalid time value", t):
        return Verdict(
            "permanent",
            "data",
            "py.ValueError",
            "A value in the input is invalid for the conversion.",
            "Validate/normalise the offending field in the payload/record and replay.",
            0.65,
            "data",
        )
    if re.search(r"\bConnectionError\b|\bTimeoutError\b|\bOSError\b|\bsocket\.", t):
        return Verdict(
            "transient",
            "infra",
            "net.os_error",
            "A network/OS-level error; usually transient.",
            "Retry with backoff.",
            0.55,
            "upstream",
            backoff_base=5.0,
        )
    return None
