"""Cloud and provider SDK errors: AWS (botocore), Google (api-core / gRPC status codes), LLM providers, Redis."""

from __future__ import annotations

import re

from .parse import ParsedError
from .verdict import Verdict, internal_host

# botocore retries/standard.py + _retry.json (transient), and the common non-retryable codes.
_AWS_TRANSIENT = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceException",
    "TransactionConflictException",
    "TransactionInProgressException",
    "ModelNotReadyException",
    "IDPCommunicationError",
    "EC2ThrottledException",
}
_AWS_PERMANENT: dict[str, tuple[str, str, str]] = {
    "ValidationException": (
        "code",
        "The request does not match the API/table schema.",
        "Fix the request parameters.",
    ),
    "InvalidParameterValue": (
        "code",
        "Invalid request parameter.",
        "Fix the request parameters in the code.",
    ),
    "InvalidParameterException": (
        "code",
        "Invalid request parameter.",
        "Fix the request parameters in the code.",
    ),
    "MissingParameter": ("code", "A required parameter is missing.", "Fix the request the code builds."),
    "SerializationException": ("code", "The request body is malformed.", "Fix the request serialisation."),
    "ConditionalCheckFailedException": (
        "data",
        "The stored item contradicts the write's condition.",
        "Re-read the item and reconcile its state (or drop the stale write); do not blind-retry.",
    ),
    "NoSuchKey": (
        "data",
        "The object key does not exist.",
        "Fix the object key in the payload or create it first.",
    ),
    "NoSuchBucket": (
        "infra",
        "The bucket does not exist.",
        "Fix the bucket name/region in the configuration.",
    ),
    "ResourceNotFoundException": (
        "infra",
        "The resource (table/function/model) does not exist in this account/region.",
        "Create the resource or fix its name/region in the configuration.",
    ),
    "EntityTooLarge": (
        "data",
        "The upload exceeds the size limit.",
        "Use multipart upload or shrink the object.",
    ),
    "ItemCollectionSizeLimitExceededException": (
        "data",
        "Item collection too large.",
        "Redesign the partition.",
    ),
    "InvalidObjectState": ("data", "The object is archived.", "Restore the object before reading it."),
    "PreconditionFailed": ("data", "A precondition on the object failed.", "Reconcile the object's state."),
    "ServiceQuotaExceededException": ("external", "Service quota exceeded.", "Request a quota increase."),
    "KMSAccessDeniedException": ("infra", "KMS key access denied.", "Grant the role use of the KMS key."),
    "ModelErrorException": ("code", "The model rejected the request.", "Fix the model input."),
    "TransactionCanceledException": (
        "data",
        "The transaction was cancelled by a failed condition on an item.",
        "Check the cancellation reasons; reconcile the item state before replaying.",
    ),
}
# Unknown AWS codes: the wording of the code says what kind of failure it is.
_AWS_GUESS = [
    (
        re.compile(r"Throttl|LimitExceeded|Timeout|Unavailable|Internal|TooMany|Busy|InProgress"),
        "transient",
        "external",
    ),
    (
        re.compile(r"Denied|Unauthori[sz]ed|Forbidden|Credential|Token|Signature|AccessKey|Auth"),
        "permanent",
        "infra",
    ),
    (
        re.compile(r"(Bucket|Table|Resource|Function|Queue|Topic|Stream)NotFound|NoSuch(Bucket|Table|Queue)"),
        "permanent",
        "infra",
    ),
    (re.compile(r"NotFound|NoSuch"), "permanent", "data"),
    (re.compile(r"Conflict|Conditional|AlreadyExists|Duplicate|TooLarge|Size"), "permanent", "data"),
    (re.compile(r"Invalid|Validation|Malformed|Missing|Unsupported|Serialization"), "permanent", "code"),
]
S3_OPS = re.compile(
    r"\b(PutObject|GetObject|HeadObject|UploadPart|CreateMultipartUpload|CompleteMultipartUpload|"
    r"ListObjects\w*|CopyObject|DeleteObjects?|S3UploadFailedError)\b"
)

# gRPC status codes (google/rpc/code.proto, grpc doc/statuscodes.md) and api-core exception names.
_GRPC: dict[str, tuple[str, str]] = {
    "CANCELLED": ("transient", "external"),
    "UNKNOWN": ("transient", "external"),
    "INVALID_ARGUMENT": ("permanent", "code"),
    "DEADLINE_EXCEEDED": ("transient", "external"),
    "NOT_FOUND": ("permanent", "data"),
    "ALREADY_EXISTS": ("permanent", "data"),
    "PERMISSION_DENIED": ("permanent", "infra"),
    "RESOURCE_EXHAUSTED": ("transient", "external"),
    "FAILED_PRECONDITION": ("permanent", "data"),
    "ABORTED": ("transient", "external"),
    "OUT_OF_RANGE": ("permanent", "data"),
    "UNIMPLEMENTED": ("permanent", "code"),
    "INTERNAL": ("transient", "external"),
    "UNAVAILABLE": ("transient", "external"),
    "DATA_LOSS": ("permanent", "infra"),
    "UNAUTHENTICATED": ("permanent", "infra"),
}
_APICORE = {
    "ServiceUnavailable": "UNAVAILABLE",
    "InternalServerError": "INTERNAL",
    "BadGateway": "UNAVAILABLE",
    "GatewayTimeout": "DEADLINE_EXCEEDED",
    "DeadlineExceeded": "DEADLINE_EXCEEDED",
    "TooManyRequests": "RESOURCE_EXHAUSTED",
    "ResourceExhausted": "RESOURCE_EXHAUSTED",
    "Aborted": "ABORTED",
    "Cancelled": "CANCELLED",
    "Unknown": "UNKNOWN",
    "DataLoss": "DATA_LOSS",
    "AlreadyExists": "ALREADY_EXISTS",
    "NotFound": "NOT_FOUND",
    "FailedPrecondition": "FAILED_PRECONDITION",
    "OutOfRange": "OUT_OF_RANGE",
    "InvalidArgument": "INVALID_ARGUMENT",
    "MethodNotImplemented": "UNIMPLEMENTED",
    "Unauthenticated": "UNAUTHENTICATED",
}

MISSING_RESOURCE = re.compile(
    r"Not found: (Dataset|Table|Project|Bucket|Topic|Subscription)|"
    r"(dataset|table|bucket|project|queue|topic|subscription|spreadsheet) [\w:./-]* ?(was )?(not found|does not exist)",
    re.I,
)


def aws(p: ParsedError) -> Verdict | None:
    m = re.search(r"An error occurred \((\w+)\) when calling the (\w+) operation", p.text)
    code = m[1] if m else None
    if not code:
        for name in p.names:
            short = name.rsplit(".", 1)[-1]
            if "botocore" in name and (short in _AWS_TRANSIENT or short in _AWS_PERMANENT):
                code = short
    if not code or code.isdigit():
        return None
    if code in _AWS_TRANSIENT:
        if code.startswith("Request") or code == "PriorRequestNotComplete":
            why = f"AWS {code}: botocore retries it (transient error code)."
        else:
            why = f"AWS {code}: the service is temporarily unable to serve the request; botocore retries it."
        return Verdict(
            "transient",
            "external",
            f"aws.{code}",
            why,
            "Retry with exponential backoff (botocore standard mode).",
            0.9,
            "upstream",
            backoff_base=5.0,
        )
    if code in _AWS_PERMANENT:
        root, why, fix = _AWS_PERMANENT[code]
        if code == "ValidationException" and re.search(r"size has exceeded|too large|exceeds", p.text, re.I):
            root, why, fix = "data", "The item exceeds the service's size limit.", "Shrink or split the item."
        return Verdict("permanent", root, f"aws.{code}", f"AWS {code}: {why}", fix, 0.88, root)
    if m:
        for rx, cat, root in _AWS_GUESS:
            if rx.search(code):
                fix = (
                    "Retry with exponential backoff."
                    if cat == "transient"
                    else "Fix what the error code names."
                )
                fam = "upstream" if cat == "transient" else root
                return Verdict(
                    cat, root, f"aws.{code}", f"AWS {code} (classified by its name).", fix, 0.7, fam
                )
    return None


def grpc(p: ParsedError) -> Verdict | None:
    status = None
    if m := re.search(r"StatusCode\.([A-Z_]+)", p.text):
        status = m[1]
    elif m := re.search(r"\b\d{1,3} ([A-Z_]{5,})\b", p.text):  # "503 UNAVAILABLE", Node "14 UNAVAILABLE:"
        status = m[1] if m[1] in _GRPC else None
    elif m := re.search(r"rpc error: code = (\w+)", p.text):  # Go: "code = DeadlineExceeded"
        status = re.sub(r"(?<!^)(?=[A-Z])", "_", m[1]).upper()
        status = {"CANCELED": "CANCELLED"}.get(status, status)
    if not status:
        for name in p.names:
            short = name.rsplit(".", 1)[-1]
            if ("google" in name or "grpc" in name) and short in _APICORE:
                status = _APICORE[short]
                break
    if not status:
        return None
    cat, root = _GRPC.get(status, ("permanent", "code"))
    if root == "external" and p.hosts and all(internal_host(h) for h in p.hosts):
        root = "infra"
    if status in {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "ABORTED", "UNKNOWN", "CANCELLED"}:
        ip = re.search(r"ipv4:(\d+\.\d+\.\d+\.\d+)", p.text)
        if ip and internal_host(ip[1]):
            root = "infra"
    private_ip = re.search(
        r"\b(?:10|127)\.\d+\.\d+\.\d+|\b192\.168\.\d+\.\d+|\b172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+", p.text
    )
    if cat == "transient" and (private_ip or re.search(r"ECONNREFUSED|connection refused", p.text, re.I)):
        root = "infra"  # our own gRPC service (private address) or a connect-level failure
    if status == "NOT_FOUND" and MISSING_RESOURCE.search(p.text):
        root = "infra"
    flags = {"data_loss"} if status == "DATA_LOSS" else set()
    if status in {"PERMISSION_DENIED", "UNAUTHENTICATED"}:
        flags.add("auth")
    fixes = {
        "DATA_LOSS": "Unrecoverable data loss/corruption reported: regenerate the artefact from its source and "
        "investigate the producer before replaying.",
        "INVALID_ARGUMENT": "Fix the request the code builds (see the error details).",
        "NOT_FOUND": "Fix the resource id/name in the payload (or create the resource).",
        "ALREADY_EXISTS": "The resource exists already: treat it as done (idempotent create) or use a new id.",
        "FAILED_PRECONDITION": "Bring the resource into the required state first (see the message).",
        "UNIMPLEMENTED": "Call a method the server supports (check API version) and redeploy.",
    }
    fam = "upstream" if cat == "transient" else ("data_loss" if status == "DATA_LOSS" else root)
    return Verdict(
        cat,
        root,
        f"grpc.{status}",
        f"gRPC/Google API status {status}: "
        + (
            "the reference client libraries retry it."
            if cat == "transient"
            else "not retryable; same input fails."
        ),
        fixes.get(
            status, "Retry with exponential backoff." if cat == "transient" else "Fix the request or config."
        ),
        0.88,
        fam,
        flags=flags,
        backoff_base=5.0,
    )


_LLM_TRANSIENT = re.compile(
    r"overloaded_error|\boverloaded\b|APIConnectionError|APITimeoutError|InternalServerError|api_error|"
    r"ServerError|server had an error|server_error|ServiceUnavailableError|openai\.error\.Timeout|Connection error\.|Request timed out\.",
    re.I,
)
_LLM_CODE = re.compile(
    r"context_length_exceeded|maximum context length|prompt is too long|LengthFinishReasonError|"
    r"length limit was reached|stop_reason['\"]?: ?['\"]?max_tokens|finish_reason['\"]?: ?['\"]?length|"
    r"unsupported_parameter|Unsupported parameter|Unrecognized request argument|invalid_request_error|"
    r"not_found_error|model_not_found|APIResponseValidationError|UnprocessableEntityError",
    re.I,
)


def llm(p: ParsedError) -> Verdict | None:
    if not re.search(r"openai|anthropic|genai|gemini|claude|gpt-|bedrock|mistral|groq|cohere", p.text, re.I):
        return None
    if re.search(r"ContentFilterFinishReasonError|content_filter|content_policy_violation", p.text, re.I):
        return Verdict(
            "permanent",
            "data",
            "llm.content_filter",
            "The provider's content filter blocked the input.",
            "Review the input document; route it to manual processing.",
            0.8,
            "data",
        )
    if _LLM_CODE.search(p.text):
        if re.search(
            r"LengthFinishReasonError|length limit|max_tokens|finish_reason['\"]?: ?['\"]?length", p.text
        ):
            kind = "max_tokens"
            why = "The structured output was truncated at max_tokens; the same call truncates again."
            fix = "Raise max_tokens (or max_completion_tokens) for this call or ask for a smaller output schema."
        elif re.search(r"context_length|maximum context|prompt is too long", p.text, re.I):
            kind = "context_length"
            why = "The prompt exceeds the model's context window; the same input always fails."
            fix = "Chunk/summarise the document before the call (map-reduce) or use a longer-context model."
        elif re.search(r"not_found|model_not_found", p.text, re.I):
            kind = "model_not_found"
            why = "The model id is unknown or retired."
            fix = "Update the model id in the configuration (check the provider's current model list)."
        else:
            kind = "invalid_request"
            why = "The provider rejected the request as invalid; the same request always fails."
            fix = "Fix the request parameters the code sends (see the provider's message)."
        return Verdict("permanent", "code", f"llm.{kind}", why, fix, 0.88, "code")
    if _LLM_TRANSIENT.search(p.text):
        return Verdict(
            "transient",
            "external",
            "llm.unavailable",
            "The model provider is overloaded/unavailable or the connection failed; its SDK retries this.",
            "Retry with backoff; fail over to the next model in the chain if the outage persists.",
            0.85,
            "upstream",
            backoff_base=20.0,
        )
    return None


def redis(p: ParsedError) -> Verdict | None:
    if not re.search(r"\bredis\b|aioredis|ioredis|ReplyError", p.text, re.I):
        return None
    t = p.text
    if re.search(r"AuthenticationError|NOAUTH|WRONGPASS|NoPermissionError|NOPERM", t):
        return Verdict(
            "permanent",
            "infra",
            "redis.auth",
            "Redis rejected the credentials/ACL.",
            "Fix the Redis password/ACL in the worker's secret.",
            0.85,
            "auth",
            flags={"auth"},
        )
    if re.search(
        r"ConnectionError|TimeoutError|BusyLoadingError|LOADING|ReadOnlyError|READONLY|TryAgainError|"
        r"ClusterDownError|MASTERDOWN|OOM command not allowed|Connection (refused|reset|closed)|"
        r"ECONNREFUSED|ECONNRESET|ETIMEDOUT",
        t,
    ):
        return Verdict(
            "transient",
            "infra",
            "redis.unavailable",
            "Redis is unreachable, restarting, loading or failing over; it recovers on its own.",
            "Retry with backoff; check the Redis instance (memory, failover) if it persists.",
            0.85,
            "redis",
            backoff_base=5.0,
        )
    if re.search(r"ResponseError|WRONGTYPE|NOSCRIPT|ERR ", t):
        return Verdict(
            "permanent",
            "code",
            "redis.command",
            "Redis rejected the command (wrong type/syntax).",
            "Fix the Redis command or key usage in the code.",
            0.8,
            "code",
        )
    return None
