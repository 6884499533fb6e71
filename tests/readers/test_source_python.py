"""Reading Python files: where a syntax error is reported (LL001), as CPython places it."""

from __future__ import annotations

from helpers import check_json, inline_function_template, write

BAD = {
    # LibCST gives up at the next line's token; CPython names the bracket that was never closed.
    "open_bracket.py": ("def handler(event, context):(\n    return 1\n",
                        1, 29, "'(' was never closed"),
    "unclosed_call.py": ("import json\ndef handler(event, context):\n    return json.dumps(event\n",
                         3, 22, "'(' was never closed"),
    "bad_indent.py": ("def handler(event, context):\nreturn 1\n", 2, 1,
                      "expected an indented block after function definition on line 1"),
}


def test_syntax_errors_are_reported_where_cpython_reports_them(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", **{name: text for name, (text, *_) in BAD.items()}})
    found = {f["path"]: f for f in check_json(["."], tmp_path)}
    for name, (_, line, column, message) in BAD.items():
        finding = found[name]
        assert (finding["rule"], finding["line"], finding["column"]) == ("LL001", line, column), name
        assert finding["message"] == f"cannot check this file: syntax error: {message}"


def test_syntax_error_in_cloudformation_zipfile_points_into_the_template(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "template.yaml": inline_function_template("""
        import json
        def handler(event, context):
            return json.dumps(event
        """)})
    (finding,) = check_json(["."], tmp_path)
    # Line 13 is `return json.dumps(event`, its `(` in column 32 of the template.
    assert (finding["rule"], finding["path"], finding["line"], finding["column"]) == (
        "LL001", "template.yaml", 13, 32)
    assert finding["message"] == ("cannot check this file: inline code: syntax error: "
                                  "'(' was never closed")


def test_syntax_error_in_cdk_inline_code_points_into_the_app(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "cdk.json": '{"app": "python3 app.py"}\n',
                     "app.py": '''
        import textwrap
        from aws_cdk import App, Duration, Stack
        from aws_cdk import aws_lambda as lambda_

        app = App()
        stack = Stack(app, "S")
        lambda_.Function(
            stack, "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            timeout=Duration.seconds(10),
            code=lambda_.Code.from_inline(textwrap.dedent("""
                import json
                def handler(event, context):
                    return json.dumps(event
            """)),
        )
        '''})
    (finding,) = check_json(["."], tmp_path)
    assert (finding["rule"], finding["path"], finding["line"], finding["column"]) == (
        "LL001", "app.py", 15, 30)
