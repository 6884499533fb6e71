"""No output shows a secret: one masking path (lambdalint/redact.py) for every text a finding
carries, in every format and in --diff; and GitHub output cannot be turned into workflow
commands by a file name or a message.

Every test runs the real CLI on files written for it, except the checks that a reporter masks
whatever finding it is handed (they call each format's ``render`` the way the CLI does).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import random
import re
import string
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import SAM_TIMED, run_cli, write
from lambdalint import redact, registry, secrets
from lambdalint.engine import Result
from lambdalint.findings import Edit, Finding, Fix
from lambdalint.reporters import FORMATS

SAM = SAM_TIMED.format(code="src/")

AWS_KEY_ID = "AKIAQ3EGRTZK4LJ7WBNX"
AWS_SECRET = "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"
DB_PASSWORD = "Zq8#mP2vL9xK"
GITHUB_TOKEN = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
PYPI_PASSWORD = "Vq8zL2mx4TpK"

CLIENTS = f"""
    import boto3
    import psycopg2


    def handler(event, context):
        s3 = boto3.client("s3", aws_access_key_id="{AWS_KEY_ID}", aws_secret_access_key="{AWS_SECRET}")
        conn = psycopg2.connect(host="db", password="{DB_PASSWORD}")
        return s3, conn
    """

# A GitHub annotation or the closing notice: the only lines that may start with "::".
OUR_COMMAND = re.compile(
    r"::(?:error|warning|notice) file=[^,:\r\n]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
    r"title=LL\d{3} [a-z-]+::[^\r\n]*"
    r"|::notice title=lambdalint::\d+ more findings? not shown as annotations [^\r\n]*")


def _outputs(root: Path, *extra: str) -> Dict[str, str]:
    """stdout of ``check`` in every format and of ``check --diff``; stderr as "FORMAT err"."""
    outputs = {}
    for name, args in [*((f, ["--format", f]) for f in FORMATS), ("diff", ["--diff"])]:
        code, out, err = run_cli(["check", "--no-cache", *args, *extra, "."], cwd=root)
        assert code in (0, 1), (name, code, out, err)
        outputs[name], outputs[f"{name} err"] = out, err
    return outputs


def _leaks(secret: str, text: str) -> List[str]:
    """The secret, or any 8-character piece of it, where it shows in ``text``."""
    if len(secret) <= 8:
        return [secret] if secret in text else []
    return [secret[i:i + 8] for i in range(len(secret) - 7) if secret[i:i + 8] in text]


# -- 1. LL102 quotes the hoisted line: its suggestion and its SARIF fix ------------------------


def test_ll102_suggestion_fix_and_diff_never_show_the_credentials(tmp_path):
    write(tmp_path, {"template.yaml": SAM, "lambdalint.toml": "", "src/app.py": CLIENTS})
    outputs = _outputs(tmp_path)
    for name, text in outputs.items():
        for secret in (AWS_KEY_ID, AWS_SECRET, DB_PASSWORD):
            assert not _leaks(secret, text), (name, secret)

    findings = json.loads(outputs["json"])["findings"]
    ll102 = [f for f in findings if f["rule"] == "LL102"]
    assert [(f["line"], f["column"]) for f in ll102] == [(6, 10), (7, 12)]
    assert ll102[0]["suggestion"].endswith(
        '    s3 = boto3.client("s3", aws_access_key_id="AKIA****", aws_secret_access_key="****")')
    assert ll102[1]["suggestion"].splitlines()[2] == '    conn = psycopg2.connect(host="db", password="****")'
    assert [f["fixable"] for f in ll102] == [True, False]  # --fix still fixes the file
    assert '+s3 = boto3.client("s3", aws_access_key_id="AKIA****", aws_secret_access_key="****")' \
        in outputs["diff"].splitlines()

    sarif = json.loads(outputs["sarif"])
    (s3_result,) = [r for r in sarif["runs"][0]["results"]
                    if r["ruleId"] == "LL102" and "boto3" in r["message"]["text"]]
    assert "fixes" not in s3_result  # its replacement text would carry the secret

    # The user's own file: --fix writes the real line, secret included.
    code, _, _ = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert code == 1
    fixed = (tmp_path / "src/app.py").read_text(encoding="utf-8").splitlines()
    assert fixed[4] == (f's3 = boto3.client("s3", aws_access_key_id="{AWS_KEY_ID}", '
                                     f'aws_secret_access_key="{AWS_SECRET}")')


def test_a_sarif_fix_without_a_secret_is_kept(tmp_path):
    write(tmp_path, {"template.yaml": SAM, "lambdalint.toml": "", "src/app.py": """
        import boto3


        def handler(event, context):
            s3 = boto3.client("s3", region_name="eu-west-1")
            return s3.list_buckets()
        """})
    code, out, _ = run_cli(["check", "--no-cache", "--format", "sarif", "."], cwd=tmp_path)
    (result,) = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "LL102"]
    replacements = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert [r["insertedContent"]["text"] for r in replacements] == [
        "\n\n", 's3 = boto3.client("s3", region_name="eu-west-1")\n', ""]


# -- 2. LL304 quotes requirement lines: tokens and passwords in their URLs ---------------------


def test_ll304_masks_tokens_and_passwords_in_requirement_urls(tmp_path):
    write(tmp_path, {"template.yaml": SAM, "lambdalint.toml": "", "src/app.py": "X = 1\n",
                     "src/requirements.txt": f"""
                         private @ git+https://{GITHUB_TOKEN}@github.com/org/pkg.git
                         mirror @ git+https://deploy:{PYPI_PASSWORD}@git.example.com/org/mirror.git
                         """})
    outputs = _outputs(tmp_path, "--select", "LL304")
    for name, text in outputs.items():
        assert not _leaks(GITHUB_TOKEN[4:], text), name
        assert not _leaks(PYPI_PASSWORD, text), name
    findings = json.loads(outputs["json"])["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("LL304", 1), ("LL304", 2)]
    assert findings[0]["message"].startswith(
        "private @ git+https://ghp_****@github.com/org/pkg.git has a URL that names no exact ")
    assert findings[1]["message"].startswith(
        "mirror @ git+https://deploy:****@git.example.com/org/mirror.git has a URL ")


# -- 3. GitHub workflow commands: every line escaped, the overflow included --------------------

HOSTILE_NAMES = ["z\n::stop-commands::x.py", "z::error::boom.py", "z%0A::warning::y.py",
                 "z,a:b.py", "z ##[error]legacy.py", "z\r::add-mask::x.py"]


def _assert_no_foreign_commands(output: str) -> None:
    for line in output.split("\n"):  # the runner's own split: LF (a CR is escaped too)
        assert len(line.splitlines()) <= 1 and "##[" not in line, repr(line)
        if line.lstrip().startswith("::"):
            assert OUR_COMMAND.fullmatch(line), line


def test_github_overflow_lines_are_escaped(tmp_path):
    broken = "def handler(event, context:\n    return 1\n"
    files = {f"a{i:02d}.py": broken for i in range(19)}
    files.update({name: broken for name in HOSTILE_NAMES})
    write(tmp_path, files)
    code, out, err = run_cli(["check", "--no-cache", "--format", "github", "."], cwd=tmp_path)
    assert code == 1, err
    _assert_no_foreign_commands(out)
    lines = out.split("\n")
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert lines[10].startswith("a10.py:1:12: LL001 [parse-error] cannot check this file: syntax")
    for escaped in ("z%0A%3A%3Astop-commands%3A%3Ax.py", "z%3A%3Aerror%3A%3Aboom.py",
                    "z%250A%3A%3Awarning%3A%3Ay.py", "z%2Ca%3Ab.py", "z ##%5Berror]legacy.py",
                    "z%0D%3A%3Aadd-mask%3A%3Ax.py"):
        assert f"{escaped}:1:12: LL001 [parse-error] cannot check this file" in out, escaped
    assert lines[-3].startswith("::notice title=lambdalint::15 more findings not shown")
    assert lines[-2:] == ["lambdalint: 25 findings in 25 files checked.", ""]


_HOSTILE_TEXT = st.lists(st.sampled_from(list("ab:,%#[] \n\r\x0b\x85\u2028") + ["::", "##[", "%0A"]),
                         max_size=12).map("".join)


@settings(max_examples=150 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 2000,
          deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.lists(_HOSTILE_TEXT, min_size=1, max_size=3).map("".join),
                      min_size=25, max_size=25),
       message=_HOSTILE_TEXT, suggestion=_HOSTILE_TEXT)
def test_github_never_prints_a_foreign_command(names, message, suggestion):
    """25 findings of one level (15 past GitHub's limit) with hostile paths and texts."""
    info = registry.get("LL101")
    findings = [Finding(info.id, info.name, info.severity, name + ".py", 1, 1, 1, 2, message,
                        suggestion) for name in names]
    output = importlib.import_module("lambdalint.reporters.github_format").render(
        Result(findings=findings, files_checked=25))
    _assert_no_foreign_commands(output)
    assert sum(line.startswith("::error ") for line in output.split("\n")) == 10
    assert len(output.split("\n")) == 25 + 2 + 1  # one line a finding, notice, summary, ""


# -- the class made impossible: every reporter masks every text field --------------------------


def test_every_reporter_masks_every_text_of_a_finding():
    """A secret in every str field a rule fills (and in a fix): no format shows it. A new
    format, or a new text field shown by one, that skips redact.mask_result fails here."""
    leak = f'token="{GITHUB_TOKEN}" password="{DB_PASSWORD}" {AWS_KEY_ID}'
    info = registry.get("LL102")
    texts = {f.name: leak for f in dataclasses.fields(Finding)
             if f.type in ("str", str) and f.name not in ("rule", "name", "path")}
    assert set(texts) == {"message", "suggestion"}
    fix = Fix(f"Move {leak}", (Edit(1, 1, 1, 1, leak + "\n"),))
    finding = Finding(info.id, info.name, info.severity, "app.py", 2, 1, 2, 5, fix=fix, **texts)
    for name in FORMATS:
        render = importlib.import_module(f"lambdalint.reporters.{name}_format").render
        for options in ({}, {"quiet": True}, {"statistics": True}):
            output = render(Result(findings=[finding], files_checked=1), **options)
            for secret in (GITHUB_TOKEN[4:], DB_PASSWORD, AWS_KEY_ID[4:]):
                assert not _leaks(secret, output), (name, options, secret)


@pytest.mark.parametrize("text, masked", [
    (f'x(aws_access_key_id="{AWS_KEY_ID}")', 'x(aws_access_key_id="AKIA****")'),
    (f'aws_secret_access_key="{AWS_SECRET}"', 'aws_secret_access_key="****"'),
    (f"creds = ('{AWS_SECRET}',)", "creds = ('****',)"),
    (f'"password": "{DB_PASSWORD}", "user": "app"', '"password": "****", "user": "app"'),
    (f"DB_PASSWORD = '{DB_PASSWORD}'", "DB_PASSWORD = '****'"),
    (f"git+https://{GITHUB_TOKEN}@github.com/o/p", "git+https://ghp_****@github.com/o/p"),
    ("https://oauth2:glpat-Xy7Wv5Ut3Sr1@gitlab.com/o/p", "https://oauth2:****@gitlab.com/o/p"),
    ("https://9f8e7d6c5b4a3f2e1d0c@host.net/x", "https://****@host.net/x"),
    ("postgresql://app:p@ss:w0rd@db:5432/orders", "postgresql://app:****@db:5432/orders"),
    ('k = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA7bq9zX3kLmN0pQrS\\n'
     '-----END RSA PRIVATE KEY-----"', 'k = "-----BEGIN RSA PRIVATE KEY-----****"'),
    ("xoxb-123456789012-AbCdEfGhIjKlMnOp sk_live_4eC39HqLyjWDarjtT1zdp7dc",
     "xoxb-**** sk_live_****"),
    ("url=https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/q8R9s0T1u2V3w4X5y6Z7",
     "url=https://hooks.slack.com/services/****"),
    ("SG.Ab3Cd5Ef7Gh9Ij1Kl3Mn5O.Pq7Rs9Tu1Vw3Xy5Za7Bc9De1Fg3Hi5Jk7Lm9No1Pq3Rs5Tu7",
     "SG.****"),
    (f"a = {{'x-api-key': '{DB_PASSWORD}'}}; b = 'pw' if api_key != '{DB_PASSWORD}' else x",
     "a = {'x-api-key': '****'}; b = 'pw' if api_key != '****' else x"),
])
def test_mask_text(text, masked):
    assert redact.mask_text(text) == masked
    assert redact.mask_text(masked) == masked  # idempotent


@pytest.mark.parametrize("text", [
    'boto3.client("s3")', "password=os.environ[\"DB_PASSWORD\"]", "password = DB_PASSWORD",
    "DB_PASSWORD: '{{resolve:secretsmanager:my-app/db:SecretString}}'",
    'SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"',
    'password="${DB_PASSWORD}"', 'token = "****"', "git+ssh://git@github.com/org/repo.git",
    "repo @ git+https://github.com/org/repo@main", "-----BEGIN RSA PRIVATE KEY-----****",
    "a hardcoded AWS access key id (AKIA****)", "postgresql://app:****@host",
    "OrdersServiceHandlerServiceRoleA5A1B2C3D", "9b2f4c1d7e8a6b5c3d2e1f0a9b8c7d6e5f4a3b2c",
])
def test_mask_text_leaves_what_is_no_secret(text):
    assert redact.mask_text(text) is text


# -- property: secrets of every kind, in every credential position, never leave the process ---

_ALNUM = string.ascii_letters + string.digits
_B64 = _ALNUM + "+/"


def _secrets(seed: int) -> Dict[str, tuple]:
    """{kind: (value as written, the part that must never show)}, drawn the way real secrets
    are: at random (a seeded generator, so Hypothesis shrinks the seed, never towards
    "abcdefgh", which the rule pages do contain), each piece of distinct characters."""
    rng = random.Random(seed)

    def pick(alphabet: str, size: int) -> str:
        return "".join(rng.sample(alphabet, size))

    key_id = "AKIA" + pick(string.ascii_uppercase + "234567", 16)
    body = pick(_B64, 64)
    tokens = {
        "github": ("ghp_" + pick(_ALNUM, 36), 4),
        "slack": ("xoxb-" + pick(string.digits, 10) + "-" + pick(_ALNUM, 24), 5),
        "stripe": ("sk_live_" + pick(_ALNUM, 24), 8),
        "sendgrid": ("SG." + pick(_ALNUM + "_-", 22) + "." + pick(_ALNUM + "_-", 43), 3),
    }
    found = {kind: (value, value[public:]) for kind, (value, public) in tokens.items()}
    found.update({
        "aws key id": (key_id, key_id),
        "aws secret": (pick(_B64, 40), None),
        "private key": (f"-----BEGIN RSA PRIVATE KEY-----\\n{body}\\n-----END RSA PRIVATE KEY-----",
                        body),
        "password": (pick(_ALNUM, 10) + pick("!*-_.~#", 2), None),
        "url password": (pick(_ALNUM, 14), None),
        "env password": (pick(_ALNUM, 10) + pick("!*-_.~", 2), None),
    })
    return {kind: (value, part if part is not None else value) for kind, (value, part) in found.items()}


_NAMES = {"token": "aws_session_token", "neutral": "user_agent"}


@settings(max_examples=20 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 300,
          deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), token_name=st.sampled_from(sorted(_NAMES.values())),
       token_kind=st.sampled_from(["github", "slack", "stripe", "sendgrid"]),
       url_user=st.sampled_from(["app", "", "deploy-bot"]))
def test_no_output_shows_a_secret(tmp_path_factory, seed, token_name, token_kind, url_user):
    found = _secrets(seed)
    root = tmp_path_factory.mktemp("masking")
    value = {kind: v for kind, (v, _) in found.items()}
    userinfo = f"{url_user}:{value['url password']}" if url_user else value[token_kind]
    write(root, {
        "lambdalint.toml": "",
        "template.yaml": textwrap.dedent(SAM) + (
            "      Environment:\n        Variables:\n"
            f"          DB_PASSWORD: {value['env password']}\n"
            f"          API_TOKEN: {value['github']}\n"),
        "src/app.py": f"""
            import boto3
            import psycopg2
            import redis


            def handler(event, context):
                s3 = boto3.client("s3", aws_access_key_id="{value['aws key id']}", aws_secret_access_key="{value['aws secret']}", {token_name}="{value[token_kind]}")
                conn = psycopg2.connect(host="db", password="{value['password']}", sslkey="{value['private key']}")
                cache = redis.from_url("rediss://{userinfo}@cache.internal:6379/0")
                return s3, conn, cache
            """,
        "src/requirements.txt": f"""
            private @ git+https://{value[token_kind]}@github.com/org/pkg.git
            mirror @ git+https://{url_user or 'ci'}:{value['url password']}@git.example.com/org/m.git
            """,
    })
    outputs = _outputs(root)
    for name, text in outputs.items():
        for kind, (_, part) in found.items():
            assert not _leaks(part, text), (name, kind, _leaks(part, text))
    rules = {f["rule"] for f in json.loads(outputs["json"])["findings"]}
    assert {"LL101", "LL102", "LL204", "LL304"} <= rules  # the secrets were quoted somewhere
    assert outputs["diff"].count("\n+") >= 3  # three hoisted lines shown, masked


def test_secrets_find_secrets_in_text_spans_do_not_overlap():
    text = f'x = "{GITHUB_TOKEN}" and https://u:{DB_PASSWORD}@h/ and {AWS_KEY_ID}'
    spans = secrets.find_secrets_in_text(text)
    assert [(text[s.start:s.end], s.replacement) for s in spans] == [
        (GITHUB_TOKEN, "ghp_****"), (DB_PASSWORD, "****"), (AWS_KEY_ID, "AKIA****")]
