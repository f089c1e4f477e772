"""Formats that identify themselves: vendor prefixes, JWTs, private-key blocks, webhook URLs.

All of them are compiled into ONE alternation (`PREFIX_RE`), so a text is scanned once for every
vendor format at the same time; the literal prefixes let the regex engine reject most positions
at the first character. Each rule names its placeholder kind and the check applied to the hit:

- "random": the part after the prefix must not be a placeholder and must carry entropy
  (rejects `ghu_xxxx...`, `GR1348941` + `123123...`, `sgp_5555555dAAAAA...`);
- "mixed": as "random", and the body holds at least two digits and two other characters (prefixes
  that are ordinary words too: `test_`, `sandbox_`);
- "placeholder": only the placeholder test (formats whose test keys are legitimately repetitive);
- "mask": only a mask in the body (`XXXX`, `xxxx`, `****`: validators.has_mask) is refused;
- "jwt": the header must decode to a JSON object with alg/typ;
- "bech32": the BIP-173/350 checksum holds;
- "none": the shape alone is conclusive.
"""

from __future__ import annotations

import re
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import NamedTuple


class Rule(NamedTuple):
    kind: str
    pattern: str
    check: str = "random"
    prefix_len: int = 0  # characters of fixed prefix excluded from the entropy test
    gate: str | None = (
        None  # formats that do not start with a literal run alone, only if `gate` is in the text
    )
    anchored: bool = True  # False: may sit inside a longer run (the span is widened to the whole run)
    anchor: str | None = None  # gated rules: a literal-led tail found first; the full pattern is checked
    back: int = 0  # ... in the window of `back` characters before the anchor hit


_T = r"(?![\w\-])"  # right boundary for token-ish formats

RULES: list[Rule] = [
    # --- LLM providers
    # API and admin keys: exactly 93 characters then `AA` (a key a character short or with another
    # ending is a hand-edited sample); OAuth access/refresh tokens (`oat01`, `ort01`) and other kinds have
    # no published length: 40 or more. A key of another shape still hides under a secret-bearing name or
    # header (context.py)
    Rule("ANTHROPIC_KEY", r"sk-ant-(?:api03|admin01)-[\w\-]{93}AA" + _T, prefix_len=14),
    Rule("ANTHROPIC_KEY", r"sk-ant-(?!api03-|admin01-)[a-z]{2,8}\d{0,2}-[\w\-]{40,}" + _T, prefix_len=13),
    Rule("OPENAI_KEY", r"sk-(?:proj|svcacct|admin|None)-[\w\-]{20,}" + _T, prefix_len=8),
    Rule("OPENAI_KEY", r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + _T, "none"),
    # keys named after a project (`sk-<name>-` + 20 + T3BlbkFJ + 20, detect-secrets' reading)
    Rule("OPENAI_KEY", r"sk-[\w\-]{0,200}?[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + _T, prefix_len=3),
    Rule("OPENAI_KEY", r"sk-[A-Za-z0-9]{32,}" + _T, prefix_len=3),
    Rule(
        "LLM_API_KEY",
        r"(?:gsk_[A-Za-z0-9]{40,}|xai-[A-Za-z0-9]{60,}|pplx-[A-Za-z0-9]{48}|r8_[A-Za-z0-9]{30,}"
        r"|lsv2_(?:pt|sk)_[A-Za-z0-9]{32}_[A-Za-z0-9]{10}|pcsk_[\w]{40,}|sk-or-v1-[a-f0-9]{64})" + _T,
        prefix_len=4,
    ),
    # user tokens and the old organisation tokens: exactly 34 letters after the prefix (no digits: an
    # `api_org_96726c78_...` fixture name or an `hf_` + 30-digit run is not one)
    Rule("HUGGINGFACE_TOKEN", r"(?:hf_|api_org_)[A-Za-z]{34}" + _T, prefix_len=3),
    Rule("GOOGLE_API_KEY", r"AIza[\w\-]{35}" + _T, prefix_len=4),
    Rule("GOOGLE_OAUTH", r"(?:ya29\.[\w\-]{30,}|GOCSPX-[\w\-]{28}|1//0[\w\-]{40,})" + _T, prefix_len=5),
    # OAuth client ids (`<project number>-<32>.apps.googleusercontent.com`, detect-secrets' GCP plugin)
    Rule(
        "GOOGLE_OAUTH",
        r"\d{6,20}-[0-9A-Za-z_]{32}\.apps\.googleusercontent\.com",
        "placeholder",
        gate=".apps.googleusercontent.com",
        anchor=r"-[0-9A-Za-z_]{32}\.apps\.googleusercontent\.com",
        back=21,
    ),
    # --- source hosts
    Rule(
        "GITHUB_TOKEN",
        # fine-grained PATs: 22 + `_` + 59 characters after `github_pat_` (82; longer runs still hold one)
        r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82,255})" + _T,
        prefix_len=4,
    ),
    Rule(
        "GITLAB_TOKEN",
        # routable tokens (`glpat-`, `glrt-t1_`) carry a longer payload, but only with the `.xx` + 7
        # suffix: an unsuffixed 51+ character run after `glsoat-` is a name, not a token
        r"(?:gl(?:pat|rt)-[\w\-]{27,300}\.[0-9a-z]{9}"
        r"|gl(?:pat|dt|ft|soat|rt|ffct|wt)-[\w\-]{20,50}(?:\.[0-9a-z]{2}[0-9a-z]{7})?"
        r"|glcbt-(?:[0-9a-fA-F]{1,5}_)?[\w\-]{20,50}|glimt-[\w\-]{25}|glptt-[\w\-]{40}"
        r"|glagent-[\w\-]{50,1024}|gloas-[\w\-]{64}|GR1348941[\w\-]{20,50})" + _T,
        prefix_len=6,
    ),
    Rule("BITBUCKET_TOKEN", r"ATBB[A-Za-z0-9_=.\-]{32,}" + _T, prefix_len=4),
    Rule("ATLASSIAN_TOKEN", r"ATATT3[A-Za-z0-9_=\-]{50,}" + _T, prefix_len=6),
    # --- chat
    Rule(
        "SLACK_TOKEN",
        # `xoxe-` + three numeric parts is a user token too; gitleaks reads xapp/xoxe bodies case-blind
        # numeric parts of bot/user tokens have 8-14 digits (`xoxp-1234-...` is a stub, `xoxp-1-` heads a
        # configuration token: 160+ characters, read by the `xoxe.` form), and every token
        # ends in letters and digits, never digits alone (`xoxp-1234567890`)
        # (the letter test sits before the repeats: tested once, not once per way to split the digits)
        r"(?:xox[aosr]-(?=[\d\-]*[A-Za-z])(?:\d+-)*[A-Za-z0-9\-]{8,}"
        r"|xox[pbe]-(?!\d{1,7}-)(?=[\d\-]*[A-Za-z])(?:\d+-)*[A-Za-z0-9\-]{8,}"
        r"|xoxe(?:\.xox[bpBP])?-\d-[A-Za-z0-9\-]{20,}"
        r"|xoxe-[\d\-]{10,}[a-f0-9]{20,}|xapp-\d-[A-Za-z0-9]+-\d+-[A-Za-z0-9]+)" + _T,
        prefix_len=5,
    ),
    Rule(
        "SLACK_WEBHOOK",
        # team id / bot id / 24-character secret: 43+ characters after the kind
        r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{43,}",
        "none",
    ),
    Rule(
        "DISCORD_WEBHOOK",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w\-]{40,}",
        "none",
    ),
    Rule(
        "DISCORD_TOKEN",
        r"[MNO][\w\-]{23,25}\.[\w\-]{6}\.[\w\-]{27,40}" + _T,
        gate=".",
        anchored=False,
        anchor=r"\.[\w\-]{6}\.[\w\-]{27,40}" + _T,
        back=30,
    ),
    # the Bot API URL form, `api.telegram.org/bot<id>:<secret>/method`: `bot` is glued to the id. Gated
    # on `/bot` (a substring test) so the `:` anchor scan of the rule above is not run a second time
    Rule(
        "TELEGRAM_TOKEN",
        r"bot\d{5,16}:A[\w\-]{34}" + _T,
        gate="/bot",
        anchor=r"bot\d{5,16}:A[\w\-]{34}" + _T,
        anchored=False,
    ),
    # bot tokens: a 5-16 digit bot id, `:` and `A` + 34 (gitleaks), or an 8-10 digit id and any 35
    # characters (detect-secrets) - then a real secret is base64url: upper and lower case and a digit
    # (`1234567890:some_identifier_name_...` is not one). One `:`-led anchor scan serves both forms
    # (a memchr for the colon; most colons in logs fail on the next few characters)
    Rule(
        "TELEGRAM_TOKEN",
        r"(?:\d{5,16}:A[\w\-]{34}"
        r"|\d{8,10}:(?=[\w\-]{0,34}[A-Z])(?=[\w\-]{0,34}[a-z])(?=[\w\-]{0,34}\d)[\w\-]{35})(?![\w\-])",
        gate=":",
        anchor=r":[\w\-]{35}(?![\w\-])",
        back=16,
    ),
    # SoftLayer API URLs carry the API key as the last path segment
    Rule(
        "SOFTLAYER_KEY",
        r"(?:(?<=softlayer\.com/soap/v3/)|(?<=softlayer\.com/soap/v3\.1/))[A-Za-z0-9]{64}(?![A-Za-z0-9])",
        gate="softlayer.com/soap/v3",
        anchor=r"(?:(?<=softlayer\.com/soap/v3/)|(?<=softlayer\.com/soap/v3\.1/))[A-Za-z0-9]{64}(?![A-Za-z0-9])",
        anchored=False,
    ),
    Rule("TEAMS_WEBHOOK", r"https://[\w\-]+\.webhook\.office\.com/webhookb2/[\w\-@/]{40,}", "none"),
    # --- cloud
    Rule(
        "AWS_ACCESS_KEY",
        # AWS documentation's example keys end in EXAMPLE; a masked key (`AKIAXXXXXXXXXXXXXXXX`) is a placeholder,
        # any other body counts, however regular (`AKIAZZZZZZZZZZZZZZZZ` in detect-secrets' tests)
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)(?![A-Z0-9]{9}EXAMPLE)[A-Z0-9]{16}(?![A-Za-z0-9])",
        "mask",
        prefix_len=4,
    ),
    # long-term Bedrock keys: `ABSK` + base64 of `BedrockAPIKey-<id>:<secret>`, 109-269 characters in all
    # (gitleaks). With the encoded `BedrockAPIKey-` head the shape is conclusive, so only a mask is refused
    # (AWS documents the form with an `EXAMPLE`-filled key); without it the body must look random
    Rule(
        "AWS_BEDROCK_KEY",
        r"ABSKQmVkcm9ja0FQSUtleS1[A-Za-z0-9+/]{90,250}={0,2}(?![A-Za-z0-9+/=])",
        "placeholder",
        prefix_len=23,
    ),
    Rule("AWS_BEDROCK_KEY", r"ABSK[A-Za-z0-9+/]{100,}={0,2}", prefix_len=4),
    # short-lived Bedrock keys: `bedrock-api-key-` + base64 of a presigned `bedrock.amazonaws.com/?...` URL.
    # The encoded host alone identifies one (gitleaks matches just that head); a mask after it
    # (`...Y29tXXXXXXXX`) is a doc stub
    Rule(
        "AWS_BEDROCK_KEY",
        r"bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/%]*={0,2}",
        "placeholder",
        prefix_len=40,
    ),
    Rule(
        "AZURE_CLIENT_SECRET",
        r"[\w~.]{3}\dQ~[\w~.\-]{31,34}(?![\w~.\-])",
        gate="Q~",
        anchor=r"Q~[\w~.\-]{31,34}(?![\w~.\-])",
        back=4,
    ),
    Rule("ALIBABA_KEY", r"LTAI[A-Za-z0-9]{20}" + _T, prefix_len=4),
    # lower-case hex (refresh tokens are read case-blind upstream)
    Rule("DIGITALOCEAN_TOKEN", r"(?:do[op]_v1_[a-f0-9]{64}|dor_v1_[a-fA-F0-9]{64})" + _T, prefix_len=7),
    Rule("PLANETSCALE_TOKEN", r"pscale_(?:tkn|oauth|pw)_[\w=.\-]{32,64}" + _T, prefix_len=11),
    Rule("PULUMI_TOKEN", r"pul-[a-f0-9]{40}" + _T, prefix_len=4),
    Rule("SCALINGO_TOKEN", r"tk-us-[\w\-]{48}" + _T, prefix_len=6),
    Rule(
        "YANDEX_KEY",
        r"(?:YC[\w\-]{38}|AQVN[\w\-]{35,38}|t1\.[A-Za-z0-9_\-]+={0,2}\.[A-Za-z0-9_\-]{86}={0,2})"
        r"(?![\w\-=])",
        prefix_len=2,
    ),
    Rule(
        "VAULT_TOKEN",
        # `hvs.`/`hvb.` + 24 or more (gitleaks wants 90+/138+, detect-secrets 24+); legacy `s.` + 24 or more
        r"(?:hv[sb]\.[\w\-]{24,}|s\.(?=[A-Za-z0-9]{0,23}\d)(?=[A-Za-z0-9]{0,23}[a-z])(?=[A-Za-z0-9]{0,23}[A-Z])"
        r"[A-Za-z0-9]{24,}(?![\w\-.]))",
        prefix_len=4,
    ),
    # v2 keys: `HRKU-AA` + 58 characters
    Rule("HEROKU_KEY", r"HRKU-AA[\w\-]{58}" + _T, prefix_len=7),
    Rule("JFROG_KEY", r"(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})" + _T, prefix_len=4),
    # Artifactory API tokens of other lengths (detect-secrets: `AKC` + 10 or more alphanumerics)
    Rule("JFROG_KEY", r"AKC[A-Za-z0-9]{10,200}" + _T, prefix_len=3),
    Rule("OPENSHIFT_TOKEN", r"sha256~[\w\-]{43}" + _T, prefix_len=7),
    Rule(
        "ONEPASSWORD_TOKEN",
        r"(?:ops_eyJ[A-Za-z0-9+/]{250,}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
        r"-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})" + _T,
        prefix_len=4,
    ),
    Rule(
        "FLY_TOKEN",
        r"(?:fo1_[\w\-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3}|FlyV1 fm\d+_[A-Za-z0-9+/=,_\-]{100,})",
        prefix_len=4,
    ),
    Rule("DOPPLER_TOKEN", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}" + _T, prefix_len=6),
    Rule("DATABRICKS_TOKEN", r"dapi[a-h0-9]{32}(?:-\d)?" + _T, prefix_len=4),
    Rule("DYNATRACE_TOKEN", r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}" + _T, prefix_len=7),
    Rule("NEWRELIC_KEY", r"(?:NRAK-[A-Za-z0-9]{27}|NRJS-[a-fA-F0-9]{19}|NRII-[\w\-]{32})" + _T, prefix_len=5),
    Rule("CLOUDFLARE_KEY", r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}" + _T, prefix_len=5),
    Rule(
        "HASHICORP_TOKEN",
        r"[A-Za-z0-9]{14}\.atlasv1\.[\w=\-]{60,70}" + _T,
        gate=".atlasv1.",
        anchor=r"\.atlasv1\.[\w=\-]{60,70}" + _T,
        back=14,
    ),
    Rule(
        "GRAFANA_TOKEN",
        r"(?:glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"
        r"|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?![\w\-=])",
        prefix_len=4,
    ),
    Rule("SUPABASE_KEY", r"(?:sbp_[a-f0-9]{40}|sb_secret_[\w\-]{20,})" + _T, prefix_len=4),
    Rule("VERCEL_TOKEN", r"vc[kpiar]_[A-Za-z0-9]{24,}" + _T, prefix_len=4),
    # --- package registries and dev tools
    Rule("NPM_TOKEN", r"npm_[A-Za-z0-9]{36}" + _T, prefix_len=4),
    # upload tokens for pypi.org and for test.pypi.org (macaroons whose base64 head names the index)
    Rule("PYPI_TOKEN", r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[\w\-]{50,}" + _T, prefix_len=19),
    Rule("DOCKER_TOKEN", r"dckr_pat_[\w\-]{27}" + _T, prefix_len=9),
    Rule("RUBYGEMS_TOKEN", r"rubygems_[a-f0-9]{48}" + _T, prefix_len=9),
    Rule("POSTMAN_TOKEN", r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}" + _T, prefix_len=5),
    Rule("LINEAR_TOKEN", r"lin_api_[A-Za-z0-9]{40}" + _T, prefix_len=8),
    Rule("PREFECT_TOKEN", r"pnu_[A-Za-z0-9]{36}" + _T, prefix_len=4),
    Rule("README_TOKEN", r"rdme_[a-z0-9]{70}" + _T, prefix_len=5),
    # org tokens: `sntrys_` + base64 of a JSON payload opening with `{"iat":` and holding `region_url`,
    # then `_` + a 43-character base64 secret (which may hold `+` and `/`)
    Rule(
        "SENTRY_TOKEN",
        r"sntrys_eyJpYXQiO[A-Za-z0-9+/]{10,200}(?:LCJyZWdpb25fdXJs|InJlZ2lvbl91cmwi|cmVnaW9uX3VybCI6)"
        r"[A-Za-z0-9+/]{10,200}={0,2}_[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/])",
        prefix_len=7,
    ),
    Rule("SENTRY_TOKEN", r"sntryu_[a-f0-9]{64}" + _T, prefix_len=7),
    Rule("SONAR_TOKEN", r"sq[upa]_[A-Za-z0-9]{40}" + _T, prefix_len=4),
    Rule("SOURCEGRAPH_TOKEN", r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}" + _T, prefix_len=4),
    Rule("SETTLEMINT_TOKEN", r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{12,64}" + _T, prefix_len=7),
    Rule("HARNESS_TOKEN", r"(?:pat|sat)\.[\w\-]{22}\.[\w\-]{24}\.[\w\-]{20}" + _T, prefix_len=4),
    # `favicon.ico-<hash>.png` is a file name, not a token
    # Airtable personal access tokens: `pat` + 14-character id + `.` + 64 hex
    Rule("AIRTABLE_TOKEN", r"pat[A-Za-z0-9]{14}\.[a-fA-F0-9]{64}" + _T, prefix_len=18),
    # Aiven service passwords and tokens: `AVNS_` + 8 or more word characters
    Rule("AIVEN_TOKEN", r"AVNS_\w{8,}" + _T, prefix_len=5),
    Rule("INFRACOST_TOKEN", r"(?<!\.)ico-[A-Za-z0-9]{32}(?![\w\-]|\.\w)", prefix_len=4),
    Rule("NOTION_TOKEN", r"(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})" + _T, prefix_len=4),
    Rule("FIGMA_TOKEN", r"figd_[\w\-]{40}" + _T, prefix_len=5),
    # Chief Tools personal, access and refresh tokens
    Rule("CHIEFTOOLS_TOKEN", r"ct[por]_[A-Za-z0-9]{30,248}" + _T, prefix_len=4),
    Rule("TYPEFORM_TOKEN", r"tfp_[\w.=\-]{59}" + _T, prefix_len=4),
    Rule("FRAMEIO_TOKEN", r"fio-u-[\w=\-]{64}" + _T, prefix_len=6),
    Rule("CLOJARS_TOKEN", r"CLOJARS_[A-Za-z0-9]{60}" + _T, prefix_len=8),
    Rule("CONTENTFUL_TOKEN", r"CFPAT-[\w\-]{43}" + _T, prefix_len=6),
    Rule("DEFINED_NETWORKING_KEY", r"dnkey-[\w=\-]{26}-[\w=\-]{52}" + _T, prefix_len=6),
    Rule("AGE_SECRET_KEY", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", "none"),
    Rule("INTRA42_SECRET", r"s-s4t2(?:ud|af)-[a-fA-F0-9]{64}" + _T, prefix_len=9),
    Rule("OCTOPUS_KEY", r"API-[A-Z0-9]{26}" + _T, prefix_len=4),
    Rule("ADOBE_KEY", r"p8e-[A-Za-z0-9]{32}" + _T, prefix_len=4),
    Rule("BEAMER_KEY", r"b_[\w=\-]{44}" + _T, prefix_len=2),
    Rule("DROPBOX_TOKEN", r"sl\.[\w=\-]{130,}" + _T, prefix_len=3),
    Rule("DUFFEL_TOKEN", r"duffel_(?:test|live)_[\w=\-]{43}" + _T, prefix_len=12),
    # --- payment
    Rule("STRIPE_KEY", r"(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,}" + _T, prefix_len=8),
    Rule("STRIPE_KEY", r"whsec_[A-Za-z0-9]{32,}" + _T, prefix_len=6),
    # OAuth application secrets in detect-secrets' reading: exactly 43 characters, `\` among them; the
    # exact length after the prefix is the evidence (a typed-out alphabet of that length is a test key)
    Rule("SQUARE_TOKEN", r"sq0csp-[\w\-\\]{43}" + _T, "placeholder", prefix_len=7),
    Rule("SQUARE_TOKEN", r"(?:sq0(?:atp|csp)-[\w\-^]{22,60}|EAAA[\w\-]{22,60})" + _T, prefix_len=7),
    Rule("EASYPOST_TOKEN", r"EZ[AT]K[A-Za-z0-9]{54}" + _T, prefix_len=4),
    Rule("SHOPIFY_TOKEN", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + _T, prefix_len=6),
    Rule("SHIPPO_TOKEN", r"shippo_(?:live|test)_[a-fA-F0-9]{40}" + _T, prefix_len=12),
    Rule(
        "FLUTTERWAVE_KEY",
        r"(?:FLW(?:PUBK|SECK)_TEST-[a-hA-H0-9]{32}-X|FLWSECK_TEST-[a-hA-H0-9]{12})" + _T,
        prefix_len=13,
    ),
    # Adyen API keys (`AQE` + id + `.` + body), Adyen client keys, Braintree access tokens and
    # tokenization keys. `test_`/`sandbox_` + letters is also how code names things, hence "mixed":
    # a generated body carries digits as well as letters
    Rule("ADYEN_KEY", r"AQE[A-Za-z0-9]{5,100}\.[\w=\-]{50,80}" + _T, prefix_len=3),
    Rule("ADYEN_KEY", r"(?:test|live)_[A-Za-z0-9]{30,40}" + _T, "mixed", prefix_len=5),
    Rule("BRAINTREE_TOKEN", r"access_token\$(?:production|sandbox)\$[A-Za-z0-9]{16}" + _T, prefix_len=13),
    Rule(
        "BRAINTREE_TOKEN",
        r"(?:production|sandbox)_[A-Za-z0-9]{8}_[A-Za-z0-9]{16}" + _T,
        "mixed",
        prefix_len=8,
    ),
    Rule(
        "PLAID_TOKEN",
        r"access-(?:sandbox|development|production)-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
        r"-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" + _T,
        "none",
    ),
    Rule("GOCARDLESS_TOKEN", r"live_[\w=\-]{40}" + _T, prefix_len=5),
    # secret keys carry 35 hex digits, publishable keys `_pub_` + 31
    Rule("LOB_KEY", r"(?:live|test)_(?:pub_[a-fA-F0-9]{31}|[a-fA-F0-9]{35})" + _T, prefix_len=5),
    # --- mail / messaging / social
    Rule("SENDGRID_KEY", r"SG\.(?:[\w\-]{20,24}\.[\w\-]{39,50}|[\w=.\-]{66})" + _T, prefix_len=3),
    Rule("SENDINBLUE_KEY", r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}" + _T, prefix_len=8),
    Rule("MAILGUN_KEY", r"(?:pub)?key-[a-fA-F0-9]{32}" + _T, prefix_len=4),
    # keys are hex; detect-secrets reads the 32 characters as [0-9a-z], so those count too, with digits
    # among them ("mixed": a 32-letter name before `-us1` is not a key)
    Rule(
        "MAILCHIMP_KEY",
        r"[0-9a-z]{32}-us\d{1,2}" + _T,
        "mixed",
        gate="-us",
        anchor=r"-us\d{1,2}" + _T,
        back=32,
    ),
    Rule("TWILIO_KEY", r"SK[0-9a-fA-F]{32}" + _T, prefix_len=2),
    # account SIDs and API key SIDs as detect-secrets reads them (`AC`/`SK` + 32 lower-case
    # alphanumerics); "mixed": `ACknowledgement...`-like words have no digits
    Rule("TWILIO_KEY", r"(?:AC|SK)[a-z0-9]{32}" + _T, "mixed", prefix_len=2),
    Rule("TWITTER_TOKEN", r"A{22}[A-Za-z0-9%]{80,}" + _T, "placeholder", prefix_len=22),
    Rule("FACEBOOK_TOKEN", r"EAA[MC][A-Za-z0-9]{100,}" + _T, prefix_len=4),
    Rule(
        "FACEBOOK_TOKEN",
        r"(?<!\d)\d{15,16}[|%][\w\-]{27,40}" + _T,
        gate="|",
        anchor=r"[|%][\w\-]{27,40}" + _T,
        back=16,
    ),
    # the URL-encoded separator: app id %7C... or a bare `%` (gitleaks accepts both)
    Rule(
        "FACEBOOK_TOKEN",
        r"(?<!\d)\d{15,16}%[\w\-]{27,40}" + _T,
        gate="%",
        anchor=r"%[\w\-]{27,40}" + _T,
        back=16,
    ),
    Rule("NUGET_KEY", r"oy2[a-z0-9]{43}" + _T, prefix_len=3),
    Rule("MAPBOX_TOKEN", r"sk\.eyJ[\w\-]{50,}\.[\w\-]{20,}" + _T, prefix_len=3),
    # --- structure-defined
    # generated by startproject: 50 random characters; `django-insecure-xxxx...`/`-change-me` are docs
    Rule("DJANGO_SECRET_KEY", r"django-insecure-[^\"'\s]{10,250}", prefix_len=16),
    Rule("CASTAI_KEY", r"castai_v1_[A-Za-z0-9]{64}_[A-Za-z0-9]{8}" + _T, prefix_len=10),
    # formats whose start is not a literal worth a trigger (a digit, a common word): gated on a
    # rarer literal inside them
    Rule("CLICKHOUSE_KEY", r"4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9])", prefix_len=4, gate="4b1d"),
    Rule(
        "MAXMIND_KEY",
        r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk" + _T,
        gate="_mmk",
        anchor=r"_mmk" + _T,
        back=36,
    ),
    Rule(
        "AUTHRESS_KEY",
        r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][A-Za-z0-9\-]{10,32}"
        r"\.[\w+/=\-]{30,120}(?![\w+/=\-])",
        prefix_len=3,
        gate=".acc",
        anchor=r"\.acc[_-][A-Za-z0-9\-]{10,32}\.[\w+/=\-]{30,120}(?![\w+/=\-])",
        back=48,
    ),
    # a DER private key in base64 without its PEM lines: SEQUENCE, then INTEGER 0 (the version) and
    # the modulus (PKCS#1, `...IBAAK`/`IBAAJ`) or the algorithm (PKCS#8, `...IBADAN`). Certificates
    # and public keys (`MIIDdzCC`, `MIIBIjAN`) have no version 0 there
    Rule(
        "PRIVATE_KEY",
        r"MII[A-Za-z0-9+/]{3}IBA(?:A[JK]|DAN)[A-Za-z0-9+/]{50,8000}={0,2}(?![A-Za-z0-9+/=])",
        "placeholder",
        gate="IBA",
        anchor=r"MII[A-Za-z0-9+/]{3}IBA(?:A[JK]|DAN)[A-Za-z0-9+/]{50,8000}={0,2}(?![A-Za-z0-9+/=])",
    ),
    Rule(
        "SIDEKIQ_URL",
        r"https?://[a-fA-F0-9]{8}:[a-fA-F0-9]{8}@(?:gems|enterprise)\.contribsys\.com",
        "none",
        gate="contribsys.com",
        anchor=r"@(?:gems|enterprise)\.contribsys\.com",
        back=30,
    ),
    Rule(
        "CLAUDE_SESSION_URL",
        # the host is case-blind (`https://CLAUDE.AI/code/session_...`): gated on the path
        r"(?i:https?://claude\.ai)/code/session_[A-Za-z0-9]{16,}",
        "none",
        gate="/code/session_",
        anchor=r"(?i:claude\.ai)/code/session_[A-Za-z0-9]{16,}",
        back=8,
    ),
    # Ansible Vault payloads: the hex lines under a `$ANSIBLE_VAULT;1.1;AES256` header (the header stays;
    # format 1.2 adds a vault id: `;AES256;prod`). Escaped newlines count (`...;AES256;\n3132...` inside a JSON string)
    # (lines are joined by a non-empty separator: a hex run is never split two ways)
    Rule(
        "ANSIBLE_VAULT",
        r"[0-9a-fA-F]{16,}(?:(?:\s|\\[nr])+[0-9a-fA-F]{16,})*",
        "none",
        gate="ANSIBLE_VAULT;",
        anchor=r"ANSIBLE_VAULT;\d\.\d;AES256(?:;[\w.\-]{0,64})?[ \t]*(?:[\r\n]|\\[nr])(?:\s|\\[nr])*[0-9a-fA-F]{16,}"
        r"(?:(?:\s|\\[nr])+[0-9a-fA-F]{16,})*",
        anchored=False,
    ),
    # Azure Data Factory self-hosted integration runtime keys: IR@<guid>@<factory>@<region>@<base64 44>
    Rule(
        "AZURE_DATAFACTORY_KEY",
        r"IR@[0-9a-zA-Z\-]{36}@[^@\s]{0,100}@[0-9a-zA-Z\-=]{0,40}@[A-Za-z0-9+/=]{44}(?![A-Za-z0-9+/=])",
        "placeholder",
        prefix_len=3,
        # a gate, not a trigger: `I` would otherwise open the trigger scan at every `INFO` in a log
        gate="IR@",
        anchor=r"IR@[0-9a-zA-Z\-]{36}@[^@\s]{0,100}@[0-9a-zA-Z\-=]{0,40}@[A-Za-z0-9+/=]{44}(?![A-Za-z0-9+/=])",
    ),
    # the signature may be missing (an unsigned JWS, a token cut before it): header and claims still identify it
    Rule("JWT", r"eyJ[A-Za-z0-9_\-]{8,}\.ey[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*)?", "jwt"),
    Rule("JWT", r"ZXlK[A-Za-z0-9+/]{40,}={0,2}", "jwt_b64"),  # a JWT, base64-encoded once more
    # public tokens: base64 JSON + signature, or (older docs and tests) 60 + 22 alphanumerics
    Rule(
        "MAPBOX_TOKEN",
        r"pk\.(?:eyJ[\w\-]{50,}\.[\w\-]{20,}|[A-Za-z0-9]{60}\.[A-Za-z0-9]{22})" + _T,
        prefix_len=3,
    ),
    # segwit addresses hold a BIP-173/350 checksum: a string that fails it is no address (Presidio's reading)
    Rule("CRYPTO_WALLET", r"(?:bc1|tb1)[02-9ac-hj-np-z]{25,87}" + _T, "bech32"),
]

# Left boundary shared by all rules: not inside a longer token. A `/` opens a token as a blank does: URL
# paths carry tokens (`/v1/keys/sk_live_...`, webhook URLs), and inside a base64 blob, where `/` is a
# letter, a vendor format does not match by chance (no span in 2,000 random blobs of 0.2-4 KB).
_LEFT_SET = r"[A-Za-z0-9+_\-]"
_LEFT = "(?<!" + _LEFT_SET + ")"
_LIMIT = 4


def _item_opts(op: object, av: object) -> list[tuple[str, bool]] | None:
    """Literal strings one parsed regex item can start with; None when it is not a short literal set."""
    c = _constants
    if op is c.LITERAL:
        return [(chr(av), False)]  # type: ignore[arg-type]
    if op is c.IN:
        chars: set[str] = set()
        for o, a in av:  # type: ignore[attr-defined]
            if o is c.LITERAL:
                chars.add(chr(a))
            elif o is c.RANGE and a[1] - a[0] <= 10:
                chars.update(chr(x) for x in range(a[0], a[1] + 1))
            else:
                return None
        return [(ch, False) for ch in chars] if len(chars) <= 12 else None
    if op is c.SUBPATTERN:
        return _lit_prefixes(av[-1])  # type: ignore[index]
    if op is c.BRANCH:
        out: list[tuple[str, bool]] = []
        for branch in av[1]:  # type: ignore[index]
            sub = _lit_prefixes(branch)
            if sub is None:
                return None
            out.extend(sub)
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        lo, hi, sub = av  # type: ignore[misc]
        if lo == 0 and hi == 1:  # optional part: with or without it
            opt = _lit_prefixes(sub)
            return None if opt is None else [*opt, ("", False)]
        if lo >= 1 and len(sub) == 1 and sub[0][0] is c.LITERAL:
            return [(chr(sub[0][1]) * min(lo, _LIMIT), lo < _LIMIT)]
        return None
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return [("", False)]
    return None


def _lit_prefixes(items: object) -> list[tuple[str, bool]] | None:
    """All literal prefixes (up to _LIMIT chars) a parsed pattern can start with; (text, ended_early)."""
    cur: list[tuple[str, bool]] = [("", False)]
    for op, av in items:  # type: ignore[attr-defined]
        if all(stop or len(p) >= _LIMIT for p, stop in cur):
            break
        opts = _item_opts(op, av)
        if opts is None:
            cur = [(p, True) for p, _ in cur]
            break
        cur = [(p, stop) if stop or len(p) >= _LIMIT else (p + t, st) for p, stop in cur for t, st in opts]
        if len(cur) > 256:
            return None
    return [(p[:_LIMIT], stop) for p, stop in cur]


def _triggers(pattern: str) -> set[str]:
    got = _lit_prefixes(_parser.parse(pattern))
    if not got or any(len(p) < 2 for p, _ in got):
        raise ValueError(f"rule without a literal prefix of >= 2 chars needs a gate: {pattern[:40]}")
    return {p for p, _ in got}


def trie_regex(words: set[str] | frozenset[str]) -> str:
    """Alternation factored as a trie, so each position costs one compare per distinct next character."""
    if "" in words:
        rest = {w for w in words if w}
        return "" if not rest else "(?:" + trie_regex(rest) + ")?"
    by_first: dict[str, set[str]] = {}
    for w in words:
        by_first.setdefault(w[0], set()).add(w[1:])
    parts = [re.escape(first) + trie_regex(tails) for first, tails in sorted(by_first.items())]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _bounded(pattern: str) -> str:
    """Open-ended repeats get a ceiling, so a pathological run costs linear time, never quadratic."""
    return re.sub(r"\{(\d+),\}", r"{\1,4096}", pattern)


RULES = [
    r._replace(pattern=_bounded(r.pattern), anchor=_bounded(r.anchor) if r.anchor else None) for r in RULES
]


class _LazyPattern:
    """Compiled on first use: most texts hit no vendor prefix, so start-up skips ~100 compilations."""

    __slots__ = ("_pattern", "_rx")

    def __init__(self, pattern: str) -> None:
        self._pattern = pattern
        self._rx: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self._pattern)
        return rx

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        return self.compiled().match(text, pos)


# trigger (2..4 literal chars) -> rules whose pattern can start with it
TRIGGERS: dict[str, list[tuple[_LazyPattern, Rule]]] = {}
for _rule in RULES:
    if _rule.gate is None:
        _rx = _LazyPattern(_rule.pattern)
        for _t in _triggers(_rule.pattern):
            TRIGGERS.setdefault(_t, []).append((_rx, _rule))
TRIGGER_LENGTHS = sorted({len(t) for t in TRIGGERS})
# One scan finds every place where some vendor format could start (literal 2-4 char prefixes at a token
# start). It matches the boundary character before the trigger (the trigger itself is a look-ahead), so
# the regex engine skips every token character in C instead of testing a look-behind at each position;
# a trigger at offset 0 is tested separately with TRIGGER_AT_START. Unlike `_LEFT + trie`, a trigger
# that starts after a non-token character inside another one (`sk.eyJ...`) is found as well.
_TRIE = trie_regex(set(TRIGGERS))
_FIRSTS = "".join(sorted({re.escape(t[0]) for t in TRIGGERS}))
TRIGGER_RE = re.compile(r"[^A-Za-z0-9+_\-](?=[" + _FIRSTS + "])(?=" + _TRIE + ")")
TRIGGER_AT_START = re.compile(_TRIE)


def literal_heads(pattern: str) -> list[str]:
    """`[|%]rest` -> [`\\|rest`, `%rest`]; any other pattern -> [pattern].

    The regex engine finds a literal first character with a memchr-like search but tests a class at
    every position (~10x slower on log text). Used for gated anchors whose matches cannot contain one
    of these first characters, so the literal-led scans, merged by position, find what the class finds
    (checked against the class form in tests/test_redaction_fastpaths.py).
    """
    m = re.match(r"\[((?:\\[^A-Za-z0-9]|[^\]\\\-^])+)\]", pattern)  # a class of literal characters only
    if m is None:
        return [pattern]
    heads = [h[-1] for h in re.findall(r"\\.|.", m.group(1))]
    return [re.escape(h) + pattern[m.end() :] for h in heads]


def _gate_implied(gate: str, anchors: list[str]) -> bool:
    """True when every anchor opens with the 2-4 character gate: any anchor match then holds it.

    On long texts the engine skips the test (`in` with such a short needle scans slower than the
    literal-led anchor regex itself); 1-character gates (memchr) and long ones (skipping search)
    are always far cheaper than a scan, and on short texts the test saves a regex call.
    """
    if not 2 <= len(gate) <= _LIMIT:
        return False
    for anchor in anchors:
        heads = _lit_prefixes(_parser.parse(anchor))
        if not heads or not all(p.startswith(gate) for p, _ in heads):
            return False
    return True


class Gated(NamedTuple):
    """A format without a literal start: run only when `gate` occurs (see _gate_implied); `anchors`:
    the literal-led forms of its anchor (see literal_heads), matches merged by position."""

    gate: str
    implied: bool
    anchors: tuple[re.Pattern[str], ...]
    full: re.Pattern[str]
    rule: Rule


def _gated(r: Rule, gate: str) -> Gated:
    anchors = literal_heads(r.anchor or r.pattern)
    return Gated(
        gate,
        _gate_implied(gate, anchors),
        tuple(re.compile(a) for a in anchors),
        re.compile((_LEFT if r.anchored else "") + r.pattern),
        r,
    )


GATED: list[Gated] = [_gated(r, r.gate) for r in RULES if r.gate is not None]

PRIVATE_KEY_RE = re.compile(
    r"(-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----)([^\x00]*?)(-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|(?=\x00)|\Z)",
)
