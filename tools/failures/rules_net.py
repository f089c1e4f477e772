"""HTTP status codes (RFC 9110 as raised by httpx/requests/aiohttp/axios/fetch), sockets and DNS; the
cloud/provider rules run first (see rules_cloud)."""

from __future__ import annotations

import re

from . import rules_cloud
from .parse import ParsedError
from .rules_cloud import MISSING_RESOURCE
from .verdict import Verdict, internal_host

_STATUS_PATTERNS = [
    r"(?:Client|Server) error '(\d{3})",
    r"\b(\d{3}) (?:Client|Server) Error\b",
    r"Error code: (\d{3})\b",
    r"<?HttpError (\d{3})\b",
    r"status(?:Code| code|_code)?['\"]?[=: ]+(\d{3})\b",
    r"\b(?:got|returned|received) (?:status |HTTP |a )?(\d{3})\b",
    r"Request failed with status code (\d{3})",
    r"\bHTTP(?:/\d(?:\.\d)?)?[ :]+(?:[Ee]rror:? )?(\d{3})\b",
    r"An error occurred \((\d{3})\)",
    r"google\.\w+(?:\.\w+)*\.\w+: (\d{3})\b",
    r"(?:ServerError|ClientError|APIError): (\d{3})\b",
    r"ClientResponseError: (\d{3}),",
    r"['\"]code['\"]:\s*['\"]?(\d{3})['\"]?[,}]",
    r"responded with (?:status )?(\d{3})\b",
    r"^\w*(?:Error|Exception): (\d{3})\b",
    r"\b(\d{3}) (?:Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error|Too Many Requests|"
    r"Not Found|Gone|Conflict|Forbidden|Unauthorized|Bad Request|Payload Too Large|Unprocessable)",
]


def http_status(text: str) -> int | None:
    for pat in _STATUS_PATTERNS:
        if m := re.search(pat, text, re.M):
            code = int(m[1])
            if 400 <= code <= 599:
                return code
    return None


def _owner(p: ParsedError, default: str = "external") -> str:
    if p.hosts:
        return "infra" if all(internal_host(h) for h in p.hosts) else "external"
    return default


_HTTP_TEXT = {
    400: (
        "code",
        "The server rejected the request as malformed.",
        "Fix the request the code builds (see details).",
    ),
    404: (
        "data",
        "The requested entity does not exist.",
        "Check the id/path from the payload; skip if deleted.",
    ),
    405: ("code", "Method not allowed.", "Fix the HTTP method/endpoint in the code."),
    406: ("code", "Not acceptable.", "Fix the Accept header."),
    409: (
        "data",
        "Conflict with the resource's current state.",
        "Reconcile the resource state before resubmitting.",
    ),
    410: ("data", "The entity is gone upstream.", "Drop the job (entity deleted) or fix the reference."),
    411: ("code", "Length required.", "Send Content-Length."),
    412: ("data", "Precondition failed.", "Re-read the resource and retry with the current ETag."),
    413: (
        "data",
        "The payload exceeds the server's limit.",
        "Compress/split the document or upload in parts.",
    ),
    414: ("code", "URI too long.", "Move parameters into the body."),
    415: ("code", "Unsupported media type.", "Fix the Content-Type."),
    422: ("data", "The server could not process the record's content.", "Fix the record's invalid fields."),
    428: ("code", "Precondition required.", "Send If-Match/ETag."),
    431: ("code", "Headers too large.", "Shrink the request headers."),
    451: ("external", "Unavailable for legal reasons.", "Contact the provider."),
    501: ("code", "Not implemented by the server.", "Use an endpoint/method the server supports."),
    505: ("code", "HTTP version not supported.", "Fix the client's HTTP version."),
}


def _http(p: ParsedError) -> Verdict | None:
    code = http_status(p.text)
    if code is None:
        return None
    owner = _owner(p)
    if code in (408, 425, 429) or (code >= 500 and code not in (501, 505)):
        if re.search(r"supabase|postgrest|pooler", p.text, re.I):
            owner = "infra"
        return Verdict(
            "transient",
            owner,
            f"http.{code}",
            f"HTTP {code}: a temporary server-side condition (RFC 9110); the same request can succeed later.",
            "Retry with exponential backoff and jitter, honouring Retry-After.",
            0.85,
            "upstream",
            backoff_base=15.0,
        )
    root, why, fix = _HTTP_TEXT.get(code, ("code", f"Client error {code}.", "Fix the request."))
    if code == 404 and MISSING_RESOURCE.search(p.text):
        root, why, fix = "infra", "A configured resource does not exist.", "Create it or fix its name/region."
    elif code == 404 and re.search(
        r"\bmodel\b|model_not_found|does not exist or you do not have access", p.text, re.I
    ):
        root, why, fix = (
            "code",
            "The model id is unknown or retired.",
            "Update the model id in the config/code.",
        )
    if code == 400 and re.search(
        r"context[_ ]length|maximum context|prompt is too long|too many tokens", p.text, re.I
    ):
        why, fix = (
            "The prompt exceeds the model's context window.",
            ("Chunk or summarise the input (map-reduce) before the call, or use a longer-context model."),
        )
    if code == 409 and re.search(r"openai", p.text, re.I):
        return Verdict(
            "transient", "external", "http.409", "OpenAI 409: the SDK retries it.", "Retry.", 0.7, "upstream"
        )
    return Verdict("permanent", root, f"http.{code}", f"HTTP {code}: {why}", fix, 0.8, root)


_DNS_PERM = re.compile(
    r"(?-i:\bENOTFOUND\b)|EAI_NONAME|Name or service not known|nodename nor servname|no such host|"
    r"No address associated with hostname|UnknownHostException|\[Errno -2\]|NXDOMAIN",
    re.I,
)
_DNS_TEMP = re.compile(
    r"EAI_AGAIN|Temporary failure in name resolution|\[Errno -3\]|server misbehaving|"
    r"i/o timeout.*:53|SERVFAIL",
    re.I,
)
_CONNECT = re.compile(
    r"ECONNREFUSED|Connection refused|\[Errno 111\]|Error 111|ConnectTimeout|Connect timeout|"
    r"connect ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|EHOSTUNREACH|No route to host|ENETUNREACH|"
    r"Network is unreachable|\[Errno 11[03]\]|PoolTimeout|ConnectException|"
    r"failed to establish a new connection|NewConnectionError|Cannot connect to host|EndpointConnectionError|"
    r"Could not connect to the endpoint URL",
    re.I,
)
_MIDSTREAM = re.compile(
    r"ECONNRESET|Connection reset|\[Errno 104\]|socket hang up|EPIPE|Broken pipe|"
    r"\[Errno 32\]|RemoteDisconnected|Server disconnected|RemoteProtocolError|"
    r"ReadTimeout|Read timed out|\bReadError|WriteTimeout|ETIMEDOUT|ESOCKETTIMEDOUT|"
    r"ECONNABORTED|UND_ERR_(HEADERS|BODY)_TIMEOUT|UND_ERR_SOCKET|HeadersTimeoutError|"
    r"BodyTimeoutError|other side closed|Connection aborted|ChunkedEncodingError|"
    r"IncompleteRead|unexpected EOF|(?:read|got an?)[: ]+EOF\b|EOF occurred|connection closed|"
    r"unexpectedly closed|closed unexpectedly|AbortError|operation was aborted|i/o timeout|timed out|"
    r"Timeout(Error)?\b|context deadline exceeded|GOAWAY|fetch failed|"
    r"SocketTimeoutException|ServerDisconnectedError|ClientOSError|ConnectionClosedError|"
    r"Connection was closed before|ConnectionAbortedError|upstream connect error|"
    r"reset before headers|no healthy upstream|SSLZeroReturnError|TLS/SSL connection has been closed",
    re.I,
)


def _network(p: ParsedError) -> Verdict | None:
    t = p.text
    host = p.hosts[0] if p.hosts else None
    if _DNS_TEMP.search(t):
        return Verdict(
            "transient",
            "infra",
            "net.dns_temporary",
            "Temporary DNS resolution failure (EAI_AGAIN); resolution usually succeeds on retry.",
            "Retry with backoff; if it persists check the worker's resolver.",
            0.85,
            "dns",
            subject=host,
            backoff_base=5.0,
        )
    if _DNS_PERM.search(t):
        return Verdict(
            "permanent",
            "infra",
            "net.dns_nxdomain",
            f"The hostname {host or ''} does not resolve (NXDOMAIN): a wrong host in the configuration.".replace(
                "  ", " "
            ),
            "Fix the hostname/URL in the configuration (typo, missing env var); retrying cannot help.",
            0.85,
            "config",
            subject=host,
        )
    if _CONNECT.search(t):
        return Verdict(
            "transient",
            "infra",
            "net.connect_failed",
            "The connection could not be established (refused/timeout/unreachable): the endpoint or "
            "our network path is down or restarting.",
            "Retry with backoff; check the target service is up and reachable from the workers.",
            0.8,
            "upstream",
            subject=host,
            backoff_base=5.0,
        )
    if _MIDSTREAM.search(t):
        ours = (host and internal_host(host)) or re.search(r"postgrest|supabase|pooler", t, re.I)
        owner = "infra" if ours else "external"
        return Verdict(
            "transient",
            owner,
            "net.connection_dropped",
            "The connection dropped or timed out mid-request; a fresh connection usually succeeds.",
            "Retry with backoff on a new connection; use idempotency keys for writes.",
            0.8,
            "upstream",
            subject=host,
            backoff_base=5.0,
        )
    return None


def classify(p: ParsedError) -> Verdict | None:
    # Typed provider errors know more than the status they carry (a 409 ABORTED is retryable, an OpenAI
    # 400 context_length_exceeded is a code fix), and a status knows more than the socket symptom.
    for rule in (rules_cloud.redis, rules_cloud.llm, rules_cloud.aws, rules_cloud.grpc, _http, _network):
        if v := rule(p):
            return v
    return None
