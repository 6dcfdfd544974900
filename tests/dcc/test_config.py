"""The DCC's configuration file: the shipped defaults, a deployment's overrides, and the clear
refusal, naming the file and the key, of anything that cannot be used."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dcc.config import ConfigError, ConfigSource, load_config


def _written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dcc.toml"
    path.write_text(text)
    return path


def test_the_shipped_defaults_hold_the_solr_rules() -> None:
    config = load_config()
    assert config.srv_allowed("SolrContingency", "1.6")
    assert not config.srv_allowed("SolrContingency", "8.2")
    assert config.default_threshold_for("SolrContingency") == 0
    assert 0x8F3F in config.safety_critical_alerts and len(config.safety_critical_alerts) == 9
    assert config.adt_period == timedelta(hours=24)


def test_a_deployment_overrides_what_it_names_and_keeps_the_rest(tmp_path: Path) -> None:
    path = _written(
        tmp_path,
        '[eligible_srvs]\nSolrContingency = ["1.6", "1.5"]\n'
        "[anomaly_detection]\nperiod_hours = 0.5\n",
    )
    config = load_config(path)
    assert config.srv_allowed("SolrContingency", "1.5")
    assert config.adt_period == timedelta(minutes=30)
    assert config.srv_allowed("IS", "1.6") and 0x8F1D in config.safety_critical_alerts


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[alerts]\nsafety_critical = ["8G3F"]\n', "alerts.safety_critical.0"),
        ("[alerts]\nsafety_critical = [36671]\n", "alerts.safety_critical.0"),
        ('[alerts]\nsafty_critical = ["8F3F"]\n', "alerts.safty_critical"),
        ('[anomaly_detection]\nperiod_hours = "24"\n', "anomaly_detection.period_hours"),
        ("[anomaly_detection]\nperiod_hours = 0\n", "anomaly_detection.period_hours"),
        ("[anomaly_detection]\ndefault_threshold = -1\n", "anomaly_detection.default_threshold"),
        ("[anomaly_detection]\ndefault_threshold = true\n", "anomaly_detection.default_threshold"),
        (
            "[anomaly_detection.role_default_threshold]\nSolrContingency = 1.5\n",
            "anomaly_detection.role_default_threshold.SolrContingency",
        ),
        ('[eligible_srvs]\nSolrContingency = "1.6"\n', "eligible_srvs.SolrContingency"),
        ("eligible_srvs = 3\n", "eligible_srvs"),
        ("[extra]\nkey = 1\n", "extra"),
    ],
    ids=[
        "not-hex",
        "number-not-text",
        "misspelt-key",
        "text-for-a-number",
        "zero-period",
        "negative-threshold",
        "bool-for-a-count",
        "fraction-for-a-count",
        "text-for-a-list",
        "number-for-a-table",
        "unknown-section",
    ],
)
def test_an_unusable_file_is_refused_naming_the_file_and_key(
    tmp_path: Path, text: str, named: str
) -> None:
    path = _written(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert named in str(refused.value)


def test_a_file_that_is_not_toml_or_not_there_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"dcc\.toml"):
        load_config(_written(tmp_path, "[alerts\n"))
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        load_config(tmp_path / "missing.toml")


def test_a_bad_edit_keeps_the_last_good_configuration_in_force(tmp_path: Path) -> None:
    path = _written(tmp_path, '[eligible_srvs]\nSolrContingency = ["1.6", "1.5"]\n')
    source = ConfigSource(path)
    assert source.current().srv_allowed("SolrContingency", "1.5")
    path.write_text("[anomaly_detection]\ndefault_threshold = -5\n# a longer file\n")
    config = source.current()
    assert config.srv_allowed("SolrContingency", "1.5")
    assert source.last_error is not None and "default_threshold" in str(source.last_error)
