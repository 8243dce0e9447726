"""Configuration through the command line: pyproject.toml, discovery, every problem at once, rule names,
YAML's unquoted off, and patterns relative to the config file's folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from postmortem_check.cli import main
from tests.conftest import ROOT

CLEAN = (ROOT / "examples" / "2026-03-04-checkout-latency.md").read_text()
PLACEHOLDER = CLEAN.replace("in the runbook.", "[TBD].")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def schema_used(capsys: pytest.CaptureFixture[str], doc: Path) -> str:
    code, out, err = run(["lint", "--format", "json", str(doc)], capsys)
    assert code in (0, 1), err
    schema: str = json.loads(out)["files"][0]["schema"]
    return schema


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/project/sub/pm.md, with the working directory in sub/."""
    sub = tmp_path / "project" / "sub"
    sub.mkdir(parents=True)
    (sub / "pm.md").write_text(CLEAN)
    monkeypatch.chdir(sub)
    return tmp_path / "project"


def test_pyproject_table_is_found_upward(tree, capsys):
    (tree / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.postmortem-check]\nschema = "google-sre"\n')
    assert schema_used(capsys, tree / "sub" / "pm.md") == "google-sre"


def test_pyproject_without_the_table_is_passed_over(tree, capsys):
    (tree / ".postmortem-check.yaml").write_text("schema: google-sre\n")
    (tree / "sub" / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    assert schema_used(capsys, tree / "sub" / "pm.md") == "google-sre"


def test_a_pyproject_that_cannot_name_the_tool_is_not_parsed(tree, capsys, monkeypatch):
    from postmortem_check import config

    parsed: list[bool] = []
    toml = config._toml()

    def counted() -> object:
        parsed.append(True)
        return toml

    monkeypatch.setattr(config, "_toml", counted)
    (tree / "sub" / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    assert config.find_config(tree / "sub") is None and parsed == []
    # a quoted key can spell the name with escapes: such a file is parsed, and the table found
    (tree / "sub" / "pyproject.toml").write_text('[tool."postmortem\\u002dcheck"]\nschema = "google-sre"\n')
    assert config.find_config(tree / "sub") == tree / "sub" / "pyproject.toml" and len(parsed) == 1
    (tree / "sub" / "pyproject.toml").write_text('[tool."postmortem\\U0000002dcheck"]\nschema = "google-sre"\n')
    assert config.find_config(tree / "sub") == tree / "sub" / "pyproject.toml" and len(parsed) == 2
    assert schema_used(capsys, tree / "sub" / "pm.md") == "google-sre"


def test_the_nearer_config_wins_whatever_its_form(tree, capsys):
    (tree / ".postmortem-check.yaml").write_text("schema: google-sre\n")
    (tree / "sub" / "pyproject.toml").write_text('[tool.postmortem-check]\nschema = "default"\n')
    assert schema_used(capsys, tree / "sub" / "pm.md") == "default"
    (tree / "sub" / "pyproject.toml").unlink()
    (tree / "pyproject.toml").write_text('[tool.postmortem-check]\nschema = "default"\n')
    (tree / ".postmortem-check.yaml").unlink()
    (tree / "sub" / ".postmortem-check.yaml").write_text("schema: google-sre\n")
    assert schema_used(capsys, tree / "sub" / "pm.md") == "google-sre"


def test_both_in_one_folder_the_yaml_file_is_used_and_stderr_says_so(tree, capsys):
    (tree / ".postmortem-check.yaml").write_text("schema: google-sre\n")
    (tree / "pyproject.toml").write_text('[tool.postmortem-check]\nschema = "default"\n')
    code, out, err = run(["lint", "--format", "json", "pm.md"], capsys)
    assert json.loads(out)["files"][0]["schema"] == "google-sre"
    assert "both" in err and "using .postmortem-check.yaml" in err
    assert str(tree / "pyproject.toml") in err
    (tree / ".postmortem-check.yaml").unlink()
    code, out, err = run(["lint", "pm.md"], capsys)
    assert code == 0 and err == ""


def test_every_pyproject_problem_at_once_with_its_line(tree, capsys):
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n\n[tool.postmortem-check]\nschema = "google-sre"\nexclud = ["a"]\n'
        'rules = { placeholdr = "off", timeline-order = "loud" }\n\n[tool.postmortem-check.issues]\n'
        'tool_labl = "x"\n')
    code, out, err = run(["lint", "pm.md"], capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines == [
        f"postmortem-check: error: {pyproject}:6: unknown setting 'exclud' in (top level); did you mean 'exclude'?",
        f"postmortem-check: error: {pyproject}:7: /rules/timeline-order: 'loud' is not one of the severities "
        "error, warning or off",
        f"postmortem-check: error: {pyproject}:7: unknown rule 'placeholdr' in /rules; did you mean 'placeholder'?",
        f"postmortem-check: error: {pyproject}:10: unknown setting 'tool_labl' in /issues; did you mean 'tool_label'?",
    ]


def test_every_yaml_problem_at_once_with_its_line(tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("rules:\n  placeholdr: error\n  timeline-ordre: warning\nmax_file_size: 0\n"
                      "word_counts:\n  summary: {min: -1}\n")
    code, _, err = run(["lint", "--config", str(config), str(tmp_path)], capsys)
    assert code == 2
    assert f"{config}:2: unknown rule 'placeholdr' in /rules; did you mean 'placeholder'?" in err
    assert f"{config}:3: unknown rule 'timeline-ordre' in /rules; did you mean 'timeline-order'?" in err
    assert f"{config}:4: /max_file_size: 0 is less than the minimum of 1" in err
    assert f"{config}:6: /word_counts/summary/min: -1 is less than the minimum of 0" in err


def test_a_rule_name_nothing_resembles_is_refused_without_a_guess(tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("rules:\n  zzz: error\n")
    code, _, err = run(["lint", "--config", str(config), str(tmp_path)], capsys)
    assert code == 2
    assert err.strip().endswith(f"{config}:2: unknown rule 'zzz' in /rules")


def test_rules_a_team_schema_declares_are_known(tmp_path, capsys):
    schema = json.loads(main_schema_text())
    schema["properties"]["sections"]["properties"]["summary"]["x-rule"] = "summary-rule"
    (tmp_path / "team.json").write_text(json.dumps(schema))
    config = tmp_path / "cfg.yaml"
    config.write_text("schema: team.json\nrules:\n  summary-rule: warning\n")
    doc = tmp_path / "pm.md"
    doc.write_text(CLEAN)
    code, _, err = run(["lint", "--config", str(config), str(doc)], capsys)
    assert code == 0, err
    config.write_text("schema: missing.json\nrules:\n  summary-rule: warning\n")
    code, _, err = run(["lint", "--config", str(config), str(doc)], capsys)
    assert code == 2
    assert f"{config}:1: /schema: schema" in err and "unknown rule" not in err


def main_schema_text() -> str:
    from postmortem_check.schema import packaged_text

    return packaged_text("default.json")


@pytest.mark.parametrize("value", ["off", "no", "false", "Off", "NO", "'off'"])
def test_unquoted_off_no_false_turn_a_rule_off(tmp_path, capsys, value):
    doc = tmp_path / "pm.md"
    doc.write_text(PLACEHOLDER)
    config = tmp_path / "cfg.yaml"
    config.write_text(f"rules:\n  placeholder: {value}\n")
    code, out, err = run(["lint", "--config", str(config), str(doc)], capsys)
    assert (code, err) == (0, "")
    assert "placeholder" not in out


def test_pyproject_false_turns_a_rule_off(tree, capsys):
    (tree / "sub" / "pm.md").write_text(PLACEHOLDER)
    (tree / "pyproject.toml").write_text("[tool.postmortem-check.rules]\nplaceholder = false\n")
    code, out, err = run(["lint", "pm.md"], capsys)
    assert (code, err) == (0, "") and "placeholder" not in out
    (tree / "pyproject.toml").write_text("[tool.postmortem-check.rules]\nplaceholder = true\n")
    code, _, err = run(["lint", "pm.md"], capsys)
    assert code == 2 and f"{tree / 'pyproject.toml'}:2: /rules/placeholder: True is not one of" in err


def test_yes_is_not_a_severity(tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("rules:\n  placeholder: yes\n")
    code, _, err = run(["lint", "--config", str(config), str(tmp_path)], capsys)
    assert code == 2 and f"{config}:2: /rules/placeholder: True is not one of the severities" in err


def test_patterns_are_relative_to_the_config_files_folder(tmp_path, capsys, monkeypatch):
    postmortems = tmp_path / "postmortems"
    (postmortems / "drafts").mkdir(parents=True)
    (postmortems / "a.md").write_text(CLEAN)
    (postmortems / "drafts" / "b.md").write_text("# draft\n")
    (postmortems / "notes.txt").write_text(CLEAN)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.postmortem-check]\nexclude = ["postmortems/drafts"]\ninclude = ["*.md", "postmortems/*.txt"]\n')
    for cwd, target in ((tmp_path, "postmortems"), (postmortems, "."), (postmortems / "drafts", "..")):
        monkeypatch.chdir(cwd)
        code, out, err = run(["lint", "--format", "json", target], capsys)
        names = sorted(Path(f["path"]).name for f in json.loads(out)["files"])
        assert (code, names) == (0, ["a.md", "notes.txt"]), (cwd, err)


def test_patterns_below_the_directory_linted_still_match(tmp_path, capsys):
    (tmp_path / "pms" / "templates").mkdir(parents=True)
    (tmp_path / "pms" / "a.md").write_text(CLEAN)
    (tmp_path / "pms" / "templates" / "t.md").write_text("# [title]\n")
    config = tmp_path / "cfg.yaml"
    config.write_text("exclude: ['templates/*']\n")
    code, out, _ = run(["lint", "--config", str(config), "--format", "json", str(tmp_path / "pms")], capsys)
    assert (code, [Path(f["path"]).name for f in json.loads(out)["files"]]) == (0, ["a.md"])


@pytest.mark.parametrize("text, line", [
    ("[tool.postmortem-check]\nschema = \n", 2),
    ("[tool.postmortem-check]\nschema = 'default'\nschema = 'google-sre'\n", 3),
])
def test_pyproject_that_does_not_parse_names_its_line(tree, capsys, text, line):
    (tree / "pyproject.toml").write_text(text)
    code, _, err = run(["lint", "pm.md"], capsys)
    assert code == 2
    assert f"{tree / 'pyproject.toml'}:{line}: not valid TOML" in err


def test_explicit_pyproject_without_the_table_is_an_error(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    code, _, err = run(["lint", "--config", str(tmp_path / "pyproject.toml"), str(tmp_path)], capsys)
    assert code == 2 and "has no [tool.postmortem-check] table" in err


@pytest.mark.parametrize("text", [
    "rules:\n  off: error\n", "rules: [placeholder]\n", "rules:\n  ? [a, b]\n  : error\n", "schema: [x]\n",
    "rules: {placeholder: off}\nschema: 3\n", "exclude: off\n",
])
def test_hostile_configs_are_reported_not_crashed_on(tmp_path, capsys, text):
    config = tmp_path / "cfg.yaml"
    config.write_text(text)
    code, _, err = run(["lint", "--config", str(config), str(tmp_path)], capsys)
    assert code == 2
    assert f"{config}:" in err and "internal error" not in err and "Traceback" not in err


def test_deeply_nested_pyproject_is_a_config_error(tree, capsys):
    (tree / "pyproject.toml").write_text("[tool.postmortem-check]\nexclude = " + "[" * 100_000 + "]" * 100_000 + "\n")
    code, _, err = run(["lint", "pm.md"], capsys)
    assert code == 2 and "not valid TOML" in err and "internal error" not in err


def test_word_counts_for_a_section_the_schema_lacks_are_refused(tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("word_counts:\n  sumary: {min: 10}\n  impact: {max: 100}\n  zzz: {max: 1}\n")
    code, _, err = run(["lint", "--config", str(config), str(tmp_path)], capsys)
    assert code == 2
    assert f"{config}:2: unknown section 'sumary' in /word_counts; did you mean 'summary'?" in err
    assert f"{config}:4: unknown section 'zzz' in /word_counts; the schema's sections are summary," in err
    assert "'impact'" not in err
