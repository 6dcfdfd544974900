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
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError


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


class _Strict(BaseModel):
    """A deployment's file is typed by hand: an unknown key is a typo, ``"24"`` is no number."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


AlertCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{4}$")]


class _Alerts(_Strict):
    safety_critical: list[AlertCode]


class _AnomalyDetection(_Strict):
    period_hours: Annotated[float, Field(gt=0)]
    default_threshold: Annotated[int, Field(ge=0)]
    role_default_threshold: dict[str, Annotated[int, Field(ge=0)]] = {}


class _ConfigFile(_Strict):
    """The merged TOML: the shipped defaults overlaid with the deployment's file."""

    eligible_srvs: dict[str, list[str]]
    alerts: _Alerts
    anomaly_detection: _AnomalyDetection


def parse_config(data: Mapping[str, Any], origin: str = "configuration") -> DccConfig:
    """Check and convert merged TOML data; any bad value raises ConfigError naming its key."""
    try:
        model = _ConfigFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"{origin}: {problems}") from None
    detection = model.anomaly_detection
    return DccConfig(
        MappingProxyType({role: frozenset(srvs) for role, srvs in model.eligible_srvs.items()}),
        frozenset(int(code, 16) for code in model.alerts.safety_critical),
        timedelta(hours=detection.period_hours),
        detection.default_threshold,
        MappingProxyType(dict(detection.role_default_threshold)),
    )


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
