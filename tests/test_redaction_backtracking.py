"""The possessive blank runs in context._OPVAL accept exactly what the backtracking form accepted.

The old form split a long run of blanks between `[ \\t]*` and `[ \\t]+value` every possible way before it
failed: quadratic (`token ` + 32k tabs took 0.8 s; bench/redaction_worst.py tracks such shapes).
"""

from __future__ import annotations

import random
import re

from aiops_mcp.server.gateway.redaction import Vault, context

# The form before the fix, verbatim (a copy, so that a later edit of _OPVAL is compared against it).
OLD_OPVAL = re.compile(
    r"""
    (?P<kq>\\?["'`])?
    (?:\]|\[\])?
    (?:[ \t]+[A-Za-z_][\w\[\]]*(?=[ \t]*[:=]))?
    [ \t]*
    (?P<op>:::=|::=|:=|\?=|\.=|\+=|=>|->|==|=|:|,|[ \t]+value[ \t]*=)
    [ \t]*@?
    (?:
        (?P<vq>\\?["'`])(?P<qv>.{0,400}?)(?P=vq)
      | (?P<uv>[^\s"'`\\<>;&,](?:[^\s"'`\\<>;&,]|[;&,](?![\w.\-\[\]]{1,64}=|\s|$)|<(?!/)|>){0,511})
    )
    """,
    re.X,
)

ALPHABET = [
    " ",
    "\t",
    "value",
    "=",
    ":",
    ":=",
    "=>",
    ",",
    '"',
    "'",
    "`",
    "@",
    "x",
    "int",
    "]",
    "[]",
    "s3cr3t!",
    ";",
]


def test_possessive_blanks_match_what_the_backtracking_form_matched() -> None:
    rng = random.Random(20261126)
    for _ in range(20000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12)))
        old, new = OLD_OPVAL.match(text), context._OPVAL.match(text)
        assert (old is None) == (new is None), text
        if old is not None and new is not None:
            assert old.span() == new.span() and old.groupdict() == new.groupdict(), text


def test_name_then_value_keyword_still_works() -> None:
    vault = Vault()
    out = vault.redact(
        '<add key="db_password" value="Xk9#mQ2!vL7pR4" />\npassword   value = Xk9#mQ2!vL7pR4zz'
    )
    assert "Xk9#mQ2!vL7pR4" not in out


def test_a_long_blank_run_after_a_name_is_still_redacted_past_it() -> None:
    text = "token" + " \t" * 3000 + "= ghp_" + "Zq4Rt7Yu1Io9Pa3Sd6Fg2Hj5Kl8Zx0Cv4Bn7M"
    out = Vault().redact(text)
    assert "Zq4Rt7Yu1Io9Pa3Sd6Fg2Hj5Kl8Zx0Cv4Bn7M" not in out
