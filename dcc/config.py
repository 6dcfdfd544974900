"""The DCC's run-time configuration: SRV eligibility per User Role, the safety-critical alert
list and anomaly detection defaults. Shipped defaults (``dcc/defaults.toml``) are overlaid with
a deployment's TOML file; :class:`ConfigSource` reloads that file while the DCC runs (R3.3)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any


class ConfigError(Exception):
    """A configuration file that cannot be used; the reason names the file and the key."""


@dataclass(frozen=True)
class DccConfig:
    eligible_srvs: Mapping[str, frozenset[str]]
    safety_critical_alerts: frozenset[int]
    adt_period: timedelta
    default_threshold: int
    role_default_threshold: Mapping[str, int]

    def srv_allowed(self, user_role: str, srv: str) -> bool:
        return srv in self.eligible_srvs.get(user_role, frozenset())

    def default_threshold_for(self, user_role: str) -> int:
        return self.role_default_threshold.get(user_role, self.default_threshold)


def _defaults() -> dict[str, Any]:
    text = resources.files("dcc").joinpath("defaults.toml").read_text()
    return tomllib.loads(text)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_config(data: Mapping[str, Any], origin: str = "configuration") -> DccConfig:
    """Check and convert merged TOML data; any bad value raises ConfigError naming it."""
    try:
        eligible = {
            str(role): frozenset(_strings(srvs, f"eligible_srvs.{role}"))
            for role, srvs in data["eligible_srvs"].items()
        }
        alerts = frozenset(
            _alert_code(code) for code in _strings(data["alerts"]["safety_critical"], "alerts")
        )
        detection = data["anomaly_detection"]
        period = timedelta(hours=_positive(detection["period_hours"], "period_hours"))
        default = _count(detection["default_threshold"], "default_threshold")
        per_role = {
            str(role): _count(value, f"role_default_threshold.{role}")
            for role, value in detection.get("role_default_threshold", {}).items()
        }
    except KeyError as exc:
        raise ConfigError(f"{origin}: missing key {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    return DccConfig(
        MappingProxyType(eligible), alerts, period, default, MappingProxyType(per_role)
    )


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where} must be a list of strings")
    return value


def _alert_code(text: str) -> int:
    code = int(text, 16)
    if not 0 <= code <= 0xFFFF:
        raise ValueError(f"alert code {text} is not 2 bytes")
    return code


def _positive(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where} must be a positive number")
    return value


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where} must be a whole number, 0 or more")
    return value


def load_config(path: Path | None = None) -> DccConfig:
    """The shipped defaults, overlaid with ``path`` when given."""
    data = _defaults()
    origin = "dcc/defaults.toml"
    if path is not None:
        try:
            data = _merge(data, tomllib.loads(Path(path).read_text()))
        except OSError as exc:
            raise ConfigError(f"{path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        origin = str(path)
    return parse_config(data, origin)


class ConfigSource:
    """A configuration that follows its file: ``current()`` re-reads it when it changed.

    A bad edit keeps the last good configuration in force and is reported in ``last_error``,
    so a typo cannot take the running DCC down.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.last_error: ConfigError | None = None
        self._stamp = self._file_stamp()
        self._config = load_config(path)

    def _file_stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            stat = Path(self.path).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def current(self) -> DccConfig:
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._config = load_config(self.path)
                self.last_error = None
            except ConfigError as exc:
                self.last_error = exc
        return self._config
