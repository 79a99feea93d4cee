"""Configuration: options > HOTLINE_* environment > config file > defaults,
one place for every command; `hotline config` masks secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.config import ConfigError, load_config, open_configured
from adapters.personal_data import master_id, new_master_key, parse_master_key
from workflow.datafile import DataFileError

FIXTURES = Path(__file__).parents[1] / "fixtures"


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_setting_comes_from_the_strongest_source(tmp_path: Path) -> None:
    (tmp_path / "file.key").write_text(new_master_key())
    path = config_file(tmp_path, 'store = "sqlite:///from-file.db"\n'
                                 'calendars = ["cal/2027.toml"]\nkey_file = "file.key"\n')
    env = {"HOTLINE_CONFIG": str(path), "HOTLINE_POLICIES": "a.toml:b.toml"}
    config = load_config(environ=env)
    assert (config.store.value, config.store.source) == ("sqlite:///from-file.db", f"config {path}")
    assert config.calendars.value == (tmp_path / "cal" / "2027.toml",)  # relative to the file
    assert config.policies.value == (Path("a.toml"), Path("b.toml"))
    assert config.policies.source == "env HOTLINE_POLICIES"
    assert config.key.source.startswith(f"config {path} key_file")
    env["HOTLINE_STORE"] = "sqlite:///from-env.db"
    env["HOTLINE_KEY"] = key = new_master_key()
    config = load_config(environ=env)
    assert config.store.value == "sqlite:///from-env.db"
    assert config.store.source == "env HOTLINE_STORE"
    assert (config.key.value, config.key.source) == (key, "env HOTLINE_KEY")
    config = load_config(store="sqlite:///opt.db", policies=["c.toml"], environ=env)
    assert (config.store.source, config.policies.source) == ("option --store", "option --policy")
    defaults = load_config(environ={}, cwd=tmp_path / "nowhere")
    assert (defaults.store.value, defaults.key.value) == ("sqlite:///hotline.db", None)
    assert defaults.config_file is None


def test_the_config_file_in_the_working_directory_is_found(tmp_path: Path) -> None:
    config_file(tmp_path, 'store = "sqlite:///here.db"\n')
    assert load_config(environ={}, cwd=tmp_path).store.value == "sqlite:///here.db"


def test_a_bad_config_file_names_key_and_line(tmp_path: Path) -> None:
    path = config_file(tmp_path, 'store = "sqlite:///x.db"\n\npolicy = ["a.toml"]\n')
    with pytest.raises(DataFileError, match=r"line 3, key 'policy': unknown key"):
        load_config(config_file=path, environ={})


def test_a_malformed_key_is_refused_naming_its_source() -> None:
    config = load_config(environ={"HOTLINE_KEY": "too-short"})
    with pytest.raises(ConfigError, match="key from env HOTLINE_KEY: the key must be"):
        config.master_key()
    assert len(parse_master_key("00" * 32)) == 32


def test_hotline_config_masks_the_key_and_the_password(tmp_path: Path) -> None:
    key = new_master_key()
    runner = CliRunner(env={"HOTLINE_KEY": key,
                            "HOTLINE_STORE": "postgresql://hl:s3cret@db.example:5432/hotline"})
    shown = runner.invoke(cli, ["config", "--calendar", str(FIXTURES / "calendar-2027.toml")])
    assert shown.exit_code == 0, shown.output
    assert key not in shown.output and "s3cret" not in shown.output
    assert f"****** (id {master_id(parse_master_key(key))})    [env HOTLINE_KEY]" in shown.output
    assert "postgresql://hl:***@db.example:5432/hotline    [env HOTLINE_STORE]" in shown.output
    assert "[option --calendar]" in shown.output


def test_every_store_command_opens_through_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_bytes((FIXTURES / "policy-2027.toml").read_bytes())
    store = f"sqlite:///{tmp_path}/s.db"
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"case": "C-1", "action": "receive", "at": "2027-01-04T09:00:00", '
                     '"channel": "county_hotline", "category": "complaint", "content": "x"}\n')
    path = config_file(tmp_path, f'store = "{store}"\npolicies = ["p.toml"]\n')
    result = CliRunner(env={"HOTLINE_CONFIG": str(path)}).invoke(cli, ["import", str(lines), "-q"])
    assert result.exit_code == 0, result.output
    app = open_configured(store=store, environ={})
    try:
        assert app.case("C-1").policy == "xiangtan/2027"  # the config file's policy was used
    finally:
        app.close()


# -- the composition root (issue 9, item 5) ------------------------------------------------


def test_audit_deadlines_recomputes_with_the_configured_policy(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/audit.db"
    app = open_configured(store=store, environ={})
    app.receive("AUD-1", at="2016-08-01T09:00:00", channel="mayor_hotline",
                category="complaint", content="工地夜间施工噪音扰民")
    app.close()
    runner = CliRunner()
    plain = runner.invoke(cli, ["audit", "deadlines", "AUD-1", "--store", store,
                                "--today", "2027-03-01"], env={"HOTLINE_POLICIES": ""})
    assert plain.exit_code == 0, plain.output
    assert "DIFFERS" not in plain.output and "xiangtan/2027" not in plain.output
    policy = str(FIXTURES / "policy-2027.toml")
    chosen = runner.invoke(cli, ["audit", "deadlines", "AUD-1", "--store", store,
                                 "--today", "2027-03-01", "--policy", policy])
    assert chosen.exit_code == 0, chosen.output
    assert "[xiangtan/2027" in chosen.output and "DIFFERS" in chosen.output


def test_the_taxonomy_is_configured_and_shown(tmp_path: Path) -> None:
    import json

    own = tmp_path / "taxonomy.json"
    text = (Path(__file__).parents[2] / "src" / "projections" / "taxonomy.json").read_text("utf-8")
    data = json.loads(text)
    data["id"] = "county/2027"
    own.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    path = config_file(tmp_path, 'taxonomy = "taxonomy.json"\n')
    config = load_config(config_file=path, environ={})
    assert config.taxonomy.value == own and config.taxonomy_id() == "county/2027"
    from_env = load_config(environ={"HOTLINE_TAXONOMY": str(own)}, cwd=tmp_path / "none")
    assert from_env.taxonomy.source == "env HOTLINE_TAXONOMY"
    shown = CliRunner().invoke(cli, ["config", "--config", str(path), "--store",
                                     f"sqlite:///{tmp_path}/x.db"], env={"HOTLINE_TAXONOMY": ""})
    assert shown.exit_code == 0, shown.output
    assert "taxonomy" in shown.output and "county/2027" in shown.output
    default = CliRunner().invoke(cli, ["config", "--store", f"sqlite:///{tmp_path}/x.db"],
                                 env={"HOTLINE_TAXONOMY": "", "HOTLINE_CONFIG": ""})
    assert "(package: " in default.output


def test_the_read_side_of_the_root_uses_the_configured_taxonomy(tmp_path: Path) -> None:
    from adapters.config import open_read_side

    own = tmp_path / "taxonomy.json"
    own.write_text('{"id": "mini/1", "fallback": "other", "topics": '
                   '[{"code": "lights", "keywords": ["路灯"]}]}', encoding="utf-8")
    config = load_config(store=f"sqlite:///{tmp_path}/r.db",
                         environ={"HOTLINE_TAXONOMY": str(own)})
    read = open_read_side(config)
    try:
        assert read.projections["cases"].taxonomy.id == "mini/1"  # the one read model classifies
        assert read.hotline.streams is not None  # the configured engine, bulk path and all
    finally:
        read.close()


def test_close_without_a_case_is_not_the_close_action(tmp_path: Path) -> None:
    app = open_configured(store=f"sqlite:///{tmp_path}/c.db", environ={})
    try:
        with pytest.raises(TypeError):
            app.close("C-1")  # type: ignore[call-arg]
        app.receive("C-1", at="2016-08-01T09:00:00", channel="mayor_hotline",
                    category="help", content="路灯不亮")
        app.answer("C-1", at="2016-08-01T10:00:00", text="已解答")
        assert app.close_case("C-1", at="2016-08-01T11:00:00", waive_callback=True,
                              reason="市民不需回访") == 3
    finally:
        app.close()


def test_a_bad_policy_file_stops_an_engine_that_decides_at_once_and_the_read_side_never(
    tmp_path: Path,
) -> None:
    from adapters.config import open_hotline, open_read_side

    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml\n", encoding="utf-8")
    store = f"sqlite:///{tmp_path}/h.db"
    config = load_config(store=store, policies=[bad], environ={})
    with pytest.raises(DataFileError, match="bad.toml"):
        open_hotline(config)  # nothing opened, nothing recorded
    read = open_read_side(config)  # the read side never decides: it never loads the book
    try:
        assert read.report("2016Q3", as_of=None)["all"]["received"] == 0
        with pytest.raises(DataFileError, match="bad.toml"):
            _ = read.hotline.policies  # asked to decide, it loads (and refuses) the same file
    finally:
        read.close()
