"""LL205 environment-too-large through the real CLI, in every format."""

from __future__ import annotations

import pytest

from helpers import (cdk_asset_app, cdk_asset_function, check_json, ids_and_lines, line_of,
                     sam_environment, sam_resource, sam_resources, terraform_function, write)


def _ll205(findings):
    return [f for f in findings if f["rule"] == "LL205"]


def test_sam_globals_and_function_variables_add_up(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "template.yaml": sam_resources(
        sam_resource("Big", timeout=10, properties=sam_environment(f'ROUTES: "{"r" * 2085}"')),
        sam_resource("Small", timeout=10, properties=sam_environment(
            f'ROUTES: "{"r" * 2084}"\nTABLE: !Ref Table{"x" * 3000}\n')),
        before='Globals:\n  Function:\n    Environment:\n      Variables:\n'
               f'        SHARED: "{"s" * 2000}"\n')})
    findings = _ll205(check_json(["."], tmp_path))
    # SHARED (6 + 2000) + ROUTES (6 + 2085) = 4097 bytes; 4096 is still allowed.
    assert ids_and_lines(findings) == [("LL205", line_of(tmp_path / "template.yaml", "Big:"))]
    assert findings[0]["severity"] == "error"
    assert findings[0]["message"] == (
        "Big's environment variables add up to 4,097 bytes (names and values), over Lambda's 4 KB "
        "(4,096 bytes) limit, so the deployment fails; largest: ROUTES (2,091 bytes), "
        "SHARED (2,006 bytes)")
    assert "SSM Parameter Store" in findings[0]["suggestion"]


def test_multibyte_values_count_in_utf8_bytes(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "serverless.yml": f"""
        service: s
        provider:
          name: aws
          runtime: python3.12
          timeout: 10
        functions:
          greet:
            handler: app.handler
            environment:
              GREETING: "{'é' * 2045}"
        """})
    # 8 + 2 * 2045 = 4098 bytes, though only 2,053 characters.
    assert ids_and_lines(_ll205(check_json(["."], tmp_path))) == [("LL205", 7)]


@pytest.mark.parametrize("size, expected", [(4096 - 3, []), (4096 - 2, [("LL205", 1)])])
def test_terraform(tmp_path, size, expected):
    write(tmp_path, {"lambdalint.toml": "", "main.tf": terraform_function(body=f"""
        environment {{
          variables = {{
            CFG = "{'c' * size}"
          }}
        }}
        """)})
    assert ids_and_lines(_ll205(check_json(["."], tmp_path))) == expected


def test_cdk_and_suppression(tmp_path):
    environment = 'environment={"CONFIG": "%s"},' % ("k" * 5000)
    write(tmp_path, {"lambdalint.toml": "", "app.py": cdk_asset_app(
        cdk_asset_function(extra=environment),
        cdk_asset_function(name="Quiet", extra=environment,
                           comment="  # lambdalint: ignore[LL205]"))})
    findings = _ll205(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL205", 8)]
    assert "ssm.StringParameter" in findings[0]["suggestion"]
