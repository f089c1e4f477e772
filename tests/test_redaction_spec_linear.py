"""The patterns added for spec shapes (Kubernetes manifests, curl/redis/sshpass arguments, HTTP client
auth pairs) stay linear: doubling an adversarial input at most about doubles the work.

Each input is a long run of what a pattern loops over, ending so that the match fails late. The check is
a ratio of best-of-three timings at N and 2N (quadratic work gives ~4x), not an absolute time.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import Vault, context
from tests.growth import growth_ratio

N = 40_000


@pytest.mark.parametrize(
    ("fn", "make"),
    [
        (context._K8S_KIND.search, lambda n: "kind:" + " " * n + "x"),
        (context._K8S_DATA_KEY.search, lambda n: " " * n + "data: x"),
        (context._K8S_ENTRY.fullmatch, lambda n: "  " + "a" * n + ": " + "b" * n + " x"),
        (context._B64_VALUE.fullmatch, lambda n: "A" * n + "!"),
        (context._AUTH_PAIR.search, lambda n: "auth=('" + "a" * n),
        (context._AUTH_PAIR.search, lambda n: "auth=(" * (n // 6)),
        (context._REDIS_CLI_AUTH.search, lambda n: "redis-cli" + " -x" * (n // 3)),
        (context._K8S_JSON_MEMBER.match, lambda n: " " * n + '"a": "b'),
        (context._K8S_JSON_DATA.search, lambda n: '"data" ' + " " * n + ":"),
        (context._SHELL_DEFAULT.match, lambda n: " " * n + ":-x"),
        (context._AZURE_KEY.search, lambda n: "A" * n + "="),
        (context._NPMRC_AUTH.search, lambda n: "//h" + "/a" * (n // 2) + ":_auth"),
        (context._NPMRC_AUTH.search, lambda n: ("//h/" + "a" * 100) * (n // 104)),
        (context._SHELL_DEFAULT.match, lambda n: ":-" + "a" * n),
    ],
)
def test_spec_patterns_are_linear(fn: Callable[[str], object], make: Callable[[int], str]) -> None:
    assert growth_ratio(fn, make, N) < 3.0


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "kind: Secret\ndata:\n" + "  k: dmFsdWU=\n" * (n // 14),
        lambda n: "kind: Secret\n" + "data:\n" * (n // 6),
        lambda n: "apiVersion: v1\nkind: Secret\nstringData:\n  t: |\n" + "    abc\n" * (n // 8),
        lambda n: "curl -u " + "a:" * (n // 2),
        lambda n: "sshpass -p '" + "a" * n,
        lambda n: '{"kind": "Secret", "data": {' + '"k": "dmFsdWVzMTIz", ' * (n // 20) + "}}",
        lambda n: "azure\n" + ("A" * 86 + "==\n") * (n // 89),
        lambda n: "requests.get(url, auth=HTTPBasicAuth('" + "x', '" * (n // 5),
    ],
)
def test_whole_texts_in_spec_shapes_stay_linear(make: Callable[[int], str]) -> None:
    assert growth_ratio(Vault().redact, make, N) < 3.0
