"""Quotas, rate limits, auth and TLS: the rules that must run before generic HTTP status handling."""

from __future__ import annotations

import re

from .parse import ParsedError, retry_after
from .rules_net import http_status
from .verdict import Verdict, internal_host

# Beyond this a reset is past any job backoff: the quota is exhausted for the job's purposes.
LONG_RESET_SECONDS = 3600.0

_QUOTA_EXHAUSTED = re.compile(
    r"insufficient_quota|exceeded your current quota|credit balance is (too low|insufficient)|"
    r"billing[_ ](hard[_ ])?limit|check your plan and billing|payment required|\b402\b.*payment|"
    r"requests per day|\(RPD\)|tokens per day|\(TPD\)|per[- ]day limit|daily (request |api )?(limit|quota)|"
    r"dailyLimitExceeded|(monthly|daily|annual) (request |api )?quota|quota (resets|will reset) (on|at|tomorrow)|"
    r"storageQuotaExceeded|storage quota has been exceeded|free query bytes|quotaExceeded.*(day|free)|"
    r"account (is )?(not active|suspended|deactivated|disabled)|organization (has been )?(disabled|deactivated)|"
    r"exceeded quota for free|plan (limit|quota) (reached|exhausted|exceeded)|quota exhausted",
    re.I,
)
_RATE_LIMIT = re.compile(
    r"too many requests|rate[ _-]?limit|throttl|SlowDown|reduce your request rate|"
    r"ProvisionedThroughputExceeded|RequestLimitExceeded|\bLimitExceededException|TooManyRequestsException|BandwidthLimitExceeded|"
    r"RESOURCE_EXHAUSTED|ResourceExhausted|Resource has been exhausted|rateLimitExceeded|userRateLimitExceeded|per minute|"
    r"tokens per min|requests per min|\(TPM\)|\(RPM\)|Quota exceeded for quota metric|concurrency limit",
    re.I,
)
_MSG_TOO_LARGE = re.compile(r"(received|sent|trying to send) message larger than max|message too large", re.I)

_AUTH = re.compile(
    r"Unauthorized|Unauthenticated|UNAUTHENTICATED|authentication_error|AuthenticationError|"
    r"invalid[_ ]api[_ ]key|incorrect api key|invalid x-api-key|api key (is )?(invalid|expired|revoked|not valid)|"
    r"ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|"
    r"InvalidAccessKeyId|invalid_grant|token has been expired or revoked|invalid_client|"
    r"JWT expired|invalid (jwt|token)|token (is )?expired|expired (access )?token|"
    r"Invalid Credentials|invalid authentication credentials|login required|re-?authenticat|"
    r"NoCredentialsError|Unable to locate credentials|PartialCredentialsError|DefaultCredentialsError|"
    r"credentials were not found|Could not automatically determine credentials|InvalidSignatureException|"
    r"Signature expired|NoRegionError|You must specify a region|"
    r"RefreshError|refresh token (is )?(invalid|not found|revoked|expired)|invalid refresh token|No API key provided|"
    r"Username and Password not accepted|SMTPAuthenticationError",
    re.I,
)
_PERMISSION = re.compile(
    r"Forbidden|PermissionDenied|PERMISSION_DENIED|permission_error|AccessDenied|"
    r"UnauthorizedOperation|not authorized to perform|access[ _]denied|insufficient authentication scopes|"
    r"ACCESS_TOKEN_SCOPE_INSUFFICIENT|does not have permission|SERVICE_DISABLED|has not been used in project|"
    r"insufficient(_| )(scope|permission|privilege)|request_forbidden|unsupported_country|"
    r"does not have (the )?(required )?permission|lacks? permission",
    re.I,
)
_TLS_UNTRUSTED = re.compile(
    r"unable to get local issuer certificate|self[- ]signed certificate|unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|"
    r"SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|"
    r"certificate signed by unknown authority|unable to find valid certification path|PKIX path building failed",
    re.I,
)
_TLS_THEIRS = re.compile(
    r"certificate has expired|CERT_HAS_EXPIRED|certificate (is )?(not yet valid|expired)|"
    r"hostname mismatch|doesn't match|does not match certificate|ERR_TLS_CERT_ALTNAME_INVALID|not valid for|IP address mismatch|"
    r"certificate is valid for",
    re.I,
)
_TLS_MISCONFIG = re.compile(
    r"WRONG_VERSION_NUMBER|wrong version number|UNSUPPORTED_PROTOCOL|no protocols available|packet length too long",
    re.I,
)
_TLS_VERIFY = re.compile(
    r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLCertVerificationError|x509:", re.I
)
_TLS_TRANSIENT = re.compile(
    r"SSLEOFError|EOF occurred in violation of protocol|UNEXPECTED_EOF_WHILE_READING|TLS handshake timeout|"
    r"handshake operation timed out|SSLZeroReturnError|SSL: DECRYPTION_FAILED|bad record mac|Client network socket disconnected "
    r"before secure TLS connection",
    re.I,
)


def _external_or_ours(p: ParsedError) -> str:
    return "infra" if p.hosts and all(internal_host(h) for h in p.hosts) else "external"


def classify(p: ParsedError) -> Verdict | None:
    # Keywords are matched without URLs (docs links say "rate-limits", "billing", "auth"); a bare number
    # counts as a status only where an HTTP client put it.
    t = re.sub(r"https?://\S+", "<url>", p.text)
    status = http_status(p.text)
    wait = retry_after(p.text)
    if _MSG_TOO_LARGE.search(t):
        return Verdict(
            "permanent",
            "code",
            "grpc.message_too_large",
            "The message exceeds the gRPC max message size; the same request always fails.",
            "Stream or chunk the payload, or raise max_send/receive_message_length on both client and server.",
            0.9,
            "code",
        )
    long_wait = wait is not None and wait >= LONG_RESET_SECONDS
    # Some providers word a per-minute limit as "exceeded your current quota" (Gemini free tier).
    per_minute = bool(re.search(r"per ?minute|PerMinute|\bRPM\b|\bTPM\b", t, re.I)) and not re.search(
        r"per ?day|PerDay|daily|monthly", t, re.I
    )
    if (_QUOTA_EXHAUSTED.search(t) and not (per_minute and not long_wait)) or (
        long_wait and (_RATE_LIMIT.search(t) or status == 429)
    ):
        hint = f" (reset in ~{wait / 3600:.1f} h)" if wait else ""
        return Verdict(
            "permanent",
            "external",
            "quota.exhausted",
            "The provider's quota/billing is exhausted until a reset beyond any job backoff" + hint + ".",
            "Top up billing or raise the plan/quota with the provider (or switch to a fallback provider/key); "
            "replay the jobs after the reset.",
            0.9,
            "quota",
            flags={"quota"},
        )
    asked = re.search(r"Limit (\d+), (?:Used \d+, )?Requested (\d+)", t)
    if re.search(r"Request too large for", t) or (asked and int(asked[2]) > int(asked[1])):
        return Verdict(
            "permanent",
            "code",
            "llm.request_exceeds_limit",
            "One request asks for more than the whole per-minute limit allows; waiting cannot make it fit.",
            "Split the input into smaller requests (chunking) or use a model/tier with a higher limit.",
            0.85,
            "code",
        )
    if _TLS_UNTRUSTED.search(t):
        return Verdict(
            "permanent",
            "infra",
            "tls.untrusted_ca",
            "TLS verification failed: the worker's trust store lacks the server's CA chain.",
            "Add the server's intermediate/root CA to the worker image's trust store (certifi/REQUESTS_CA_BUNDLE/"
            "NODE_EXTRA_CA_CERTS) and redeploy; never disable verification.",
            0.9,
            "tls",
        )
    if _TLS_THEIRS.search(t) and (_TLS_VERIFY.search(t) or "cert" in t.lower()):
        return Verdict(
            "permanent",
            _external_or_ours(p),
            "tls.bad_server_cert",
            "The server presented an expired or mismatched certificate.",
            "Ask the service owner to renew/fix the certificate (or fix the hostname in the config); retries "
            "fail until then.",
            0.85,
            "tls",
        )
    if _TLS_MISCONFIG.search(t):
        return Verdict(
            "permanent",
            "infra",
            "tls.misconfigured",
            "TLS negotiation failed deterministically (plain HTTP on a TLS port, or no common protocol).",
            "Fix the URL scheme/port or the TLS settings in the configuration.",
            0.8,
            "tls",
        )
    if _TLS_VERIFY.search(t):
        return Verdict(
            "permanent",
            "infra",
            "tls.verify_failed",
            "TLS certificate verification failed.",
            "Check the CA bundle in the worker image and the server's certificate chain.",
            0.75,
            "tls",
        )
    if _TLS_TRANSIENT.search(t):
        return Verdict(
            "transient",
            _external_or_ours(p),
            "tls.handshake_interrupted",
            "The TLS connection was cut mid-handshake/stream; a fresh connection usually succeeds.",
            "Retry with backoff on a new connection.",
            0.75,
            "upstream",
            backoff_base=5.0,
        )
    if (_RATE_LIMIT.search(t) or status == 429) and not re.search(r"\bper (day|month)\b", t, re.I):
        return Verdict(
            "transient",
            _external_or_ours(p),
            "rate_limited",
            "Throttled by the service (rate limit per short window); the request succeeds once the window passes.",
            "Retry after the indicated delay with jittered backoff; lower concurrency or batch requests "
            "(token bucket per provider) so the limit is not hit.",
            0.9,
            "upstream",
            backoff_base=30.0,
        )
    if _AUTH.search(t) or status == 401:
        return _auth_verdict(t)
    if _PERMISSION.search(t) or status == 403:
        return Verdict(
            "permanent",
            "infra",
            "auth.permission_denied",
            "The credentials are valid but lack the permission (IAM grant, enabled API, RLS, region).",
            "Grant the missing permission to the worker's role/service account (or enable the API) and replay.",
            0.85,
            "auth",
            flags={"auth"},
        )
    return None


def _auth_verdict(t: str) -> Verdict:
    if re.search(
        r"ExpiredToken|token has been expired or revoked|invalid_grant|JWT expired|token (is )?expired",
        t,
        re.I,
    ):
        fix = "Refresh the expired token/session (re-run the OAuth consent or credential refresh) and replay."
    else:
        fix = "Rotate the API key/credential: put the current key in the worker's secret store and restart workers."
    return Verdict(
        "permanent",
        "infra",
        "auth.invalid_credentials",
        "Authentication failed: the credential is missing, invalid, expired or revoked; retrying with it fails.",
        fix,
        0.9,
        "auth",
        flags={"auth"},
    )
