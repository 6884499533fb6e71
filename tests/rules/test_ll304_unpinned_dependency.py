"""LL304 unpinned-dependency through the real CLI: lines, constraints, lock files, URLs."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, sam_function, write


def _ll304(findings):
    return [f for f in findings if f["rule"] == "LL304"]


def test_unpinned_requirements_on_their_lines(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12"), "lambdalint.toml": "",
        "src/requirements.txt": """
            -c constraints.txt
            requests>=2.31
            pydantic
            urllib3==2.2.2
            numpy==2.*
            six
            ./libs/shared
            -e ../common
            thing @ https://files.example.com/thing-1.0-py3-none-any.whl
            repo @ git+https://github.com/org/repo@main
              attrs ~= 23.1  # lambdalint: ignore[LL304]
            """,
        "src/constraints.txt": "six==1.16.0\n",
    })
    findings = _ll304(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL304", 2), ("LL304", 3), ("LL304", 5), ("LL304", 10)]
    assert all(f["severity"] == "note" and f["path"] == "src/requirements.txt" for f in findings)
    first = findings[0]
    assert first["message"] == ("requests>=2.31 has only a range (>=2.31): every build of Fn may "
                                "install a different release, and an audit (LL303) cannot check it")
    assert first["suggestion"].startswith("Pin it: requests==<the version you tested>.")
    assert (first["column"], first["end_column"]) == (1, 1 + len("requests>=2.31"))
    assert findings[1]["message"].startswith("pydantic has no version: ")
    assert findings[3]["message"].startswith(
        "repo @ git+https://github.com/org/repo@main has a URL that names no exact release or commit")


def test_pyproject_ranges_are_pinned_by_a_lock_file(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12"), "lambdalint.toml": "",
        "src/pyproject.toml": '[project]\nname = "fn"\ndependencies = ["requests>=2.31"]\n',
    })
    assert ids_and_lines(_ll304(check_json(["."], tmp_path))) == [("LL304", 3)]
    write(tmp_path, {"src/poetry.lock": "# lock\n"})
    assert _ll304(check_json(["."], tmp_path)) == []


def test_non_python_functions_and_image_functions_are_not_read(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="nodejs20.x"), "lambdalint.toml": "",
        "src/requirements.txt": "requests\n",
    })
    assert _ll304(check_json(["."], tmp_path)) == []


def test_all_pinned_is_silent(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12"), "lambdalint.toml": "",
        "src/requirements.txt": "requests==2.32.3 \\\n    --hash=sha256:abc\nattrs===23.1.0\n",
    })
    assert _ll304(check_json(["."], tmp_path)) == []
