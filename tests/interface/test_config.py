"""Configuration files: where they are found, what they may say, and one-line errors for the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import one_line_error, run_cli, run_subprocess, write
from lambdalint import config as cfg, registry
from lambdalint.findings import Severity

BROKEN = "def handler(event, context:\n    return 1\n"
ALLOWED = ("select, ignore, exclude, extend-exclude, per-file-ignores, fail-on, handlers, rules, audit")


def _rules_found(cwd: Path, *args: str):
    code, out, err = run_cli(["check", "--format", "json", *args], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return sorted((f["rule"], f["path"]) for f in json.loads(out)["findings"])


# -- finding the file ----------------------------------------------------------------------


def test_pyproject_table_found_from_a_checked_subdirectory(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'x'\n\n[tool.lambdalint]\nignore = ['LL001']\n",
        "src/app.py": BROKEN,
    })
    assert _rules_found(tmp_path / "src") == []
    assert _rules_found(tmp_path, "src") == []
    assert _rules_found(tmp_path, "src/app.py") == []


def test_no_config_means_defaults(tmp_path):
    write(tmp_path, {"src/app.py": BROKEN})
    assert _rules_found(tmp_path, "--select", "LL001") == [("LL001", "src/app.py")]


def test_pyproject_without_a_lambdalint_table_is_passed_over(tmp_path):
    write(tmp_path, {
        "lambdalint.toml": "ignore = ['LL001']\n",
        "svc/pyproject.toml": "[tool.ruff]\nline-length = 100\n# lambdalint is configured above\n",
        "svc/app.py": BROKEN,
    })
    assert cfg.find_config_file([str(tmp_path / "svc")]) == (tmp_path / "lambdalint.toml").resolve()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert cfg.find_config_file(["svc/app.py"]) == (tmp_path / "lambdalint.toml").resolve()
    assert _rules_found(tmp_path, "svc") == []


def test_broken_pyproject_that_is_not_ours_is_passed_over(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.black\nline-length = 1\n", "app.py": BROKEN})
    assert cfg.find_config_file([str(tmp_path)]) is None
    assert _rules_found(tmp_path, "--select", "LL001") == [("LL001", "app.py")]


def test_dotted_keys_count_as_a_lambdalint_table(tmp_path):
    write(tmp_path, {"pyproject.toml": "tool.lambdalint.ignore = ['LL001']\n", "app.py": BROKEN})
    assert cfg.find_config_file([str(tmp_path)]) == (tmp_path / "pyproject.toml").resolve()
    assert _rules_found(tmp_path) == []


@pytest.mark.parametrize("present, chosen", [
    ((".lambdalint.toml", "lambdalint.toml", "pyproject.toml"), ".lambdalint.toml"),
    (("lambdalint.toml", "pyproject.toml"), "lambdalint.toml"),
    (("pyproject.toml",), "pyproject.toml"),
])
def test_precedence_in_one_directory(tmp_path, present, chosen):
    texts = {
        ".lambdalint.toml": "fail-on = 'note'\n",
        "lambdalint.toml": "fail-on = 'error'\n",
        "pyproject.toml": "[tool.lambdalint]\nfail-on = 'warning'\n",
    }
    write(tmp_path, {name: texts[name] for name in present})
    assert cfg.find_config_file([str(tmp_path)]).name == chosen
    assert cfg.load([str(tmp_path)]).fail_on == Severity(
        {".lambdalint.toml": "note", "lambdalint.toml": "error", "pyproject.toml": "warning"}[chosen])


def test_nearest_directory_wins(tmp_path):
    write(tmp_path, {
        "lambdalint.toml": "ignore = ['LL001']\n",
        "svc/lambdalint.toml": "select = ['LL001']\n",
        "svc/app.py": BROKEN,
        "other/app.py": BROKEN,
    })
    assert _rules_found(tmp_path, "svc") == [("LL001", "svc/app.py")]
    assert _rules_found(tmp_path, "other") == []


def test_explicit_config_replaces_discovery(tmp_path):
    write(tmp_path, {
        "lambdalint.toml": "ignore = ['LL001']\n",
        "ci/strict.toml": "select = ['ALL']\n",
        "app.py": BROKEN,
    })
    assert _rules_found(tmp_path) == []
    assert _rules_found(tmp_path, "--config", "ci/strict.toml", "--select", "LL001") == [
        ("LL001", "app.py")]
    config = cfg.load(["."], str(tmp_path / "ci" / "strict.toml"))
    assert config.source == tmp_path / "ci" / "strict.toml"
    assert config.root == (tmp_path / "ci").resolve()


def test_explicit_pyproject_without_our_table_is_the_defaults(tmp_path):
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    config = cfg.load(["."], str(tmp_path / "pyproject.toml"))
    assert (config.select, config.ignore, config.fail_on) == (["ALL"], [], Severity.WARNING)


# -- keys ----------------------------------------------------------------------------------


def test_every_key_is_read(tmp_path):
    write(tmp_path, {"pyproject.toml": """
        [tool.lambdalint]
        select = ["LL0", "client-per-invocation"]
        ignore = ["LL103"]
        exclude = ["generated/"]
        extend-exclude = ["legacy/*.py"]
        fail-on = "error"
        handlers = ["main", "entrypoint"]

        [tool.lambdalint.per-file-ignores]
        "tests/*.py" = ["LL101", "parse-error"]

        [tool.lambdalint.rules.LL102]
        extra-clients = ["mylib.connect"]

        [tool.lambdalint.rules.hardcoded-credential]
        extra-secret-names = ["pin"]
        allowed-values = ["test-password"]
    """})
    config = cfg.load([str(tmp_path)])
    assert config.select == ["LL0", "client-per-invocation"]
    assert config.ignore == ["LL103"]
    assert config.exclude == ["generated/"]
    assert config.extend_exclude == ["legacy/*.py"]
    assert config.excludes == ["generated/", "legacy/*.py"]
    assert config.fail_on is Severity.ERROR
    assert config.handlers == ["main", "entrypoint"]
    assert config.per_file_ignores == {"tests/*.py": ["LL101", "parse-error"]}
    assert config.rules == {
        "LL102": {"extra-clients": ["mylib.connect"]},
        "LL101": {"extra-secret-names": ["pin"], "allowed-values": ["test-password"]},
    }
    assert [r.id for r in config.enabled_rules()] == ["LL001", "LL102"]
    assert config.rule_options("LL102") == {"extra-clients": ["mylib.connect"]}
    assert config.root == tmp_path.resolve()


def test_rule_options_fall_back_to_their_defaults():
    config = cfg.Config()
    for rule_id, options in cfg.RULE_OPTIONS.items():
        assert config.rule_options(rule_id) == {name: spec[1] for name, spec in options.items()}


def test_path_options_are_read_relative_to_the_configuration(tmp_path):
    # META's "path" options (LL303's advisories today): absolute against the file's directory.
    rule, option = next((r, o) for r in registry.RULES for o in r.options if o.type == "path")
    write(tmp_path, {"ci/lambdalint.toml": f"[rules.{rule.id}]\n{option.name} = 'osv/'\n"})
    config = cfg.load([str(tmp_path)], str(tmp_path / "ci" / "lambdalint.toml"))
    assert config.rule_options(rule.id)[option.name] == str((tmp_path / "ci").resolve() / "osv")


def test_audit_is_an_option_of_the_rules_that_ask_a_service_only():
    audited = cfg.Config(audit=True)
    for rule in registry.RULES:
        assert ("audit" in audited.rule_options(rule.id)) is bool(rule.network), rule.id
        assert "audit" not in cfg.Config().rule_options(rule.id)
    assert registry.network_rules(), "a rule asks a service (META.network): LL303"


def test_snake_case_keys_are_accepted(tmp_path):
    write(tmp_path, {"lambdalint.toml": "fail_on = 'note'\nextend_exclude = ['x/']\n"})
    config = cfg.load([str(tmp_path)])
    assert (config.fail_on, config.extend_exclude) == (Severity.NOTE, ["x/"])


def test_default_excludes_stay_unless_exclude_is_set(tmp_path):
    assert cfg.Config().excludes == list(cfg.DEFAULT_EXCLUDES)
    write(tmp_path, {"lambdalint.toml": "extend-exclude = ['gen/']\n"})
    assert cfg.load([str(tmp_path)]).excludes == list(cfg.DEFAULT_EXCLUDES) + ["gen/"]


def test_config_ignore_and_per_file_ignores_apply(tmp_path):
    write(tmp_path, {
        "lambdalint.toml": "[per-file-ignores]\n\"fixtures/*\" = [\"LL001\"]\n",
        "fixtures/broken.py": BROKEN,
        "app.py": BROKEN,
    })
    assert _rules_found(tmp_path, "--select", "LL001") == [("LL001", "app.py")]


def _rule_available(rule_id: str) -> bool:
    import importlib.util

    from lambdalint import registry
    module = registry.get(rule_id).implementation.partition(":")[0]
    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(not _rule_available("LL102"), reason="LL102 is not implemented yet")
def test_config_fail_on_is_used_and_the_command_line_wins(tmp_path):
    # LL102 is a warning: the file's fail-on = error lets it pass, --fail-on warning does not.
    write(tmp_path, {
        "lambdalint.toml": "fail-on = 'error'\n",
        "app.py": "import boto3\n\n\ndef handler(event, context):\n"
                  "    return boto3.client('s3').list_buckets()\n",
    })
    assert run_subprocess(["check", "--select", "LL102"], cwd=tmp_path).returncode == 0
    proc = run_subprocess(["check", "--select", "LL102", "--fail-on", "warning"], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_command_line_select_replaces_the_files_select_and_ignore(tmp_path):
    # As in Ruff: --select on the command line is the whole selection.
    write(tmp_path, {"lambdalint.toml": "select = ['LL1']\nignore = ['LL001']\n", "app.py": BROKEN})
    assert _rules_found(tmp_path) == []
    assert _rules_found(tmp_path, "--select", "LL001") == [("LL001", "app.py")]
    assert _rules_found(tmp_path, "--select", "LL001", "--ignore", "LL001") == []


def test_command_line_ignore_adds_to_the_files_ignore(tmp_path):
    write(tmp_path, {"lambdalint.toml": "select = ['LL001']\nignore = ['LL103']\n", "app.py": BROKEN})
    assert _rules_found(tmp_path) == [("LL001", "app.py")]
    assert _rules_found(tmp_path, "--ignore", "parse-error") == []


# -- errors: exit 2, one line naming the file, the key and what is allowed ------------------


@pytest.mark.parametrize("text, message", [
    ("colour = true\n",
     f"lambdalint.toml: unknown key 'colour'; allowed keys: {ALLOWED}"),
    ("select = ['LL999']\n",
     "lambdalint.toml: 'select' has unknown rule 'LL999'; use a rule id (LL102), a name "
     "(client-per-invocation), a prefix (LL1) or ALL; `lambdalint rules` lists them"),
    ("ignore = 5\n", "lambdalint.toml: 'ignore' must be a list of strings, got 5"),
    ("exclude = [1, 2]\n", "lambdalint.toml: 'exclude' must be a list of strings, got [1, 2]"),
    ("fail-on = 'fatal'\n",
     "lambdalint.toml: 'fail-on' must be one of error, warning, note; got 'fatal'"),
    ("handlers = {a = 1}\n", "lambdalint.toml: 'handlers' must be a list of strings, got {'a': 1}"),
    ("per-file-ignores = ['x']\n",
     "lambdalint.toml: 'per-file-ignores' must be a table of \"glob\" = [\"LL101\", ...]"),
    ("[per-file-ignores]\n'*.py' = ['nonsense']\n",
     "lambdalint.toml: 'per-file-ignores.*.py' has unknown rule 'nonsense'; use a rule id (LL102), "
     "a name (client-per-invocation), a prefix (LL1) or ALL; `lambdalint rules` lists them"),
    ("rules = 3\n", "lambdalint.toml: 'rules' must be a table of [rules.LLxxx] tables"),
    ("[rules.LL999]\nx = 1\n",
     "lambdalint.toml: 'rules.LL999' names no rule; `lambdalint rules` lists them"),
    ("[rules]\nLL102 = 'yes'\n", "lambdalint.toml: 'rules.LL102' must be a table of options"),
    ("[rules.LL102]\nextra-client = ['x']\n",
     "lambdalint.toml: 'rules.LL102' has unknown option 'extra-client'; LL102 takes: extra-clients"),
    ("[rules.LL001]\nstrict = true\n",
     "lambdalint.toml: 'rules.LL001' has unknown option 'strict'; LL001 takes: none"),
    ("[rules.client-per-invocation]\nextra-clients = 'mylib.connect'\n",
     "lambdalint.toml: 'rules.client-per-invocation.extra-clients' must be a list of strings, "
     "got 'mylib.connect'"),
])
def test_bad_values_exit_2_with_one_line(tmp_path, text, message):
    write(tmp_path, {"lambdalint.toml": text, "app.py": "X = 1\n"})
    assert one_line_error(["check"], tmp_path) == f"lambdalint: error: {message}"


def test_error_in_pyproject_names_the_table(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.lambdalint]\nfail-on = 3\n"})
    assert one_line_error(["check"], tmp_path) == (
        "lambdalint: error: pyproject.toml [tool.lambdalint]: 'fail-on' must be one of error, "
        "warning, note; got 3")


def test_error_names_the_file_found_above_the_working_directory(tmp_path):
    write(tmp_path, {".lambdalint.toml": "selec = []\n", "svc/app.py": "X = 1\n"})
    line = one_line_error(["check"], tmp_path / "svc")
    assert line == (f"lambdalint: error: {(tmp_path / '.lambdalint.toml').resolve()}: unknown key "
                    f"'selec'; allowed keys: {ALLOWED}")


def test_invalid_toml_found_by_discovery(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.lambdalint]\nselect = [\n"})
    line = one_line_error(["check"], tmp_path)
    assert line.startswith("lambdalint: error: pyproject.toml: not valid TOML: ")


def test_int_option_refuses_a_bool():
    with pytest.raises(cfg.ConfigError) as err:
        cfg.from_table({"rules": {"LL102": {"extra-clients": True}}}, "x.toml")
    assert str(err.value) == "x.toml: 'rules.LL102.extra-clients' must be a list of strings, got True"


def test_the_order_of_precedence_as_the_readme_states_it(tmp_path):
    """README, Configuration: --config alone; else the nearest directory at or above the first
    checked path (a file: its directory) holding one, where .lambdalint.toml beats
    lambdalint.toml beats a pyproject.toml with a [tool.lambdalint] table; one file, no merge."""
    write(tmp_path, {
        ".lambdalint.toml": "ignore = ['LL001']\n",  # the highest name, but the farthest
        "repo/.git/HEAD": "ref: refs/heads/main\n",
        "repo/pyproject.toml": "[tool.lambdalint]\nfail-on = 'error'\n",
        "repo/lambdalint.toml": "fail-on = 'note'\n",
        "repo/svc/pyproject.toml": "[project]\nname = 'svc'\n",  # no table: passed over
        "repo/svc/app.py": BROKEN,
        "repo/ci.toml": "fail-on = 'warning'\nignore = ['LL102']\n",
        "elsewhere/app.py": BROKEN,
    })
    repo = tmp_path / "repo"
    # The nearest directory with a config: repo/, whose lambdalint.toml beats its pyproject.toml.
    chosen = cfg.load([str(repo / "svc" / "app.py")])
    assert (chosen.source, chosen.fail_on) == (repo / "lambdalint.toml", Severity.NOTE)
    assert chosen.ignore == []  # nothing merged from the .lambdalint.toml above
    # Only the first checked path is looked from.
    assert cfg.load([str(repo / "svc"), str(tmp_path / "elsewhere")]).source == repo / "lambdalint.toml"
    # The walk does not stop at the repository's root: above it, the farther file is found.
    assert cfg.load([str(tmp_path / "elsewhere" / "app.py")]).source == tmp_path / ".lambdalint.toml"
    # --config replaces the search: no file found by walking is read.
    explicit = cfg.load([str(repo / "svc")], str(repo / "ci.toml"))
    assert (explicit.source, explicit.fail_on, explicit.ignore) == (
        repo / "ci.toml", Severity.WARNING, ["LL102"])
    # Through the CLI: the same choices.
    assert _rules_found(repo, "svc") == [("LL001", "svc/app.py")]
    assert _rules_found(tmp_path / "elsewhere", ".") == []  # the .lambdalint.toml above ignores it
