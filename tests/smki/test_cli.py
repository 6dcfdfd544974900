"""``solrsim smki register / suspend / issue / list / revoke`` as a user runs them: output, files
and exit codes (0 done, 1 refused, 2 bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from dcc.smki.profile import read_org_certificate
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.state_store import StateStore
from dcc.users import UserRole, UserStatus
from sim.cli.smki import USERS_FILE, app

runner = CliRunner(env={"COLUMNS": "250"})
SUPPLIER = "90-B3-D5-1F-30-01-00-00"
SRP = "90B3D51F30050000"
AT = "2026-01-01T00:00:00Z"


def _register(repo: Path, eui: str, user_role: str, party: str = "Party Ltd") -> None:
    args = ["register", "--repo", str(repo), "--eui", eui, "--user-role", user_role]
    result = runner.invoke(app, [*args, "--party", party])
    assert result.exit_code == 0, result.output


def _issue(repo: Path, *extra: str, eui: str = SUPPLIER, role: str = "supplier"):
    if not (repo / USERS_FILE).exists():
        _register(repo, SUPPLIER, "IS", "Supplier A")
        _register(repo, "90B3D51F30030000", "IS", "Supplier B")
    args = f"issue --repo {repo} --eui {eui} --role {role} --usage ds --at {AT}".split()
    return runner.invoke(app, [*args, "--user-role", "IS", *extra])


def test_issue_writes_certificate_key_and_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    result = _issue(repo, "--party", "Supplier A")
    assert result.exit_code == 0, result.output
    assert "issued 90-B3-D5-1F-30-01-00-00 supplier (02) DS serial 0x" in result.output
    (cert_path,) = (repo / "keys").glob("90B3D51F30010000-02-ds-*[0-9a-f].pem")
    key_path = cert_path.with_name(cert_path.name.removesuffix(".pem") + ".key.pem")
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    assert key.public_key() == certificate.public_key()
    info = read_org_certificate(certificate)
    assert (info.eui64.hex().upper(), info.role, info.key_usage, info.common_name) == (
        "90B3D51F30010000",
        RemotePartyRole.SUPPLIER,
        KeyUsage.DIGITAL_SIGNING,
        "Supplier A",
    )
    (record,) = SmkiRepository.load(repo).records
    assert record.certificate == certificate and record.user_role == "IS"


def test_issue_with_a_seed_replays_byte_for_byte(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert _issue(tmp_path / name, "--seed", "rehearsal-1").exit_code == 0
    (first,) = (tmp_path / "a" / "certs").iterdir()
    (second,) = (tmp_path / "b" / "certs").iterdir()
    assert first.read_bytes() == second.read_bytes()


def test_issue_adds_to_an_existing_repository(tmp_path: Path) -> None:
    assert _issue(tmp_path).exit_code == 0
    assert _issue(tmp_path, role="xmlsign").exit_code == 0
    assert len(SmkiRepository.load(tmp_path).records) == 2


def test_r2_2_refused_with_exit_1_and_nothing_stored(tmp_path: Path) -> None:
    assert _issue(tmp_path, role="xmlsign").exit_code == 0
    _register(tmp_path, SRP, "SolrContingency")
    index_before = (tmp_path / "index.json").read_bytes()
    result = runner.invoke(
        app,
        f"issue --repo {tmp_path} --eui {SRP} --role supplier --usage ds "
        f"--user-role SolrContingency --at {AT}",
    )
    assert result.exit_code == 1
    assert "User Role SolrContingency may not hold Remote Party Role supplier (02)" in (
        result.output
    )
    assert "MP134B R2.2" in result.output
    assert (tmp_path / "index.json").read_bytes() == index_before
    assert not list((tmp_path / "keys").glob(f"{SRP}-*"))


def test_r2_1_solr_contingency_gets_an_xml_sign_certificate(tmp_path: Path) -> None:
    _register(tmp_path, SRP, "SolrContingency")
    result = runner.invoke(
        app,
        f"issue --repo {tmp_path} --eui {SRP} --role xmlSign --usage DS "
        f"--user-role solrcontingency --at {AT}",
    )
    assert result.exit_code == 0, result.output
    assert "xmlSign (87) DS" in result.output and "User Role SolrContingency" in result.output


def test_an_unregistered_eui_on_a_new_repository_is_refused_and_creates_nothing(
    tmp_path: Path,
) -> None:
    result = runner.invoke(
        app,
        f"issue --repo {tmp_path / 'new'} --eui {SRP} --role xmlSign --usage ds "
        "--user-role SolrContingency",
    )
    assert result.exit_code == 1
    assert "90-B3-D5-1F-30-05-00-00 is not a registered DCC User" in result.output
    assert not (tmp_path / "new").exists()


def _refused_and_nothing_stored(repo: Path, args: str, message: str) -> None:
    index_before = (repo / "index.json").read_bytes()
    keys_before = sorted((repo / "keys").iterdir())
    result = runner.invoke(app, f"issue --repo {repo} {args} --at {AT}".split())
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())
    assert (repo / "index.json").read_bytes() == index_before
    assert sorted((repo / "keys").iterdir()) == keys_before


@pytest.mark.parametrize("declared", ["IS", "GS", "ES", "ED", "OU"])
@pytest.mark.parametrize("role", ["supplier", "networkOperator", "other"])
@pytest.mark.parametrize("usage", ["ds", "ka"])
def test_r2_2_the_srp_asking_in_another_user_role_is_refused(
    tmp_path: Path, declared: str, role: str, usage: str
) -> None:
    assert _issue(tmp_path).exit_code == 0
    _register(tmp_path, SRP, "SolrContingency", "SRP Ltd")
    _refused_and_nothing_stored(
        tmp_path,
        f"--eui {SRP} --role {role} --usage {usage} --user-role {declared}",
        f"refused: 90-B3-D5-1F-30-05-00-00 asks in User Role {declared} but the DCC registers "
        "it in User Role SolrContingency",
    )


def test_a_supplier_asking_as_solr_contingency_is_refused(tmp_path: Path) -> None:
    assert _issue(tmp_path).exit_code == 0
    _refused_and_nothing_stored(
        tmp_path,
        f"--eui {SUPPLIER} --role xmlSign --usage ds --user-role SolrContingency",
        "asks in User Role SolrContingency but the DCC registers it in User Role IS",
    )


def test_a_suspended_user_is_refused(tmp_path: Path) -> None:
    assert _issue(tmp_path).exit_code == 0
    result = runner.invoke(app, ["suspend", "--repo", str(tmp_path), "--eui", SUPPLIER])
    assert result.exit_code == 0, result.output
    assert "suspended 90-B3-D5-1F-30-01-00-00" in result.output
    _refused_and_nothing_stored(
        tmp_path,
        f"--eui {SUPPLIER} --role supplier --usage ka --user-role IS",
        "90-B3-D5-1F-30-01-00-00 is suspended: a User that is not active gets no new",
    )


def test_register_records_the_user_in_the_dcc_register(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            *("register", "--repo", str(tmp_path), "--eui", SRP),
            *("--user-role", "solrcontingency", "--party", "SRP Ltd"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "registered 90-B3-D5-1F-30-05-00-00 (SRP Ltd) in User Role SolrContingency" in (
        result.output
    )
    with StateStore.open(tmp_path / USERS_FILE) as store:
        (user,) = store.load_users().users()
    assert (user.user_id.hex().upper(), user.party, user.role, user.status) == (
        SRP,
        "SRP Ltd",
        UserRole.SOLR_CONTINGENCY,
        UserStatus.ACTIVE,
    )


def test_a_user_id_is_registered_once(tmp_path: Path) -> None:
    _register(tmp_path, SRP, "SolrContingency")
    again = runner.invoke(
        app,
        f"register --repo {tmp_path} --eui {SRP} --user-role IS --party Rogue".split(),
    )
    assert again.exit_code == 1
    assert "is already registered" in again.output
    with StateStore.open(tmp_path / USERS_FILE) as store:
        (user,) = store.load_users().users()
    assert user.role is UserRole.SOLR_CONTINGENCY


def test_suspending_an_unregistered_user_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["suspend", "--repo", str(tmp_path), "--eui", SRP])
    assert result.exit_code == 1
    assert "no User ID 90B3D51F30050000" in result.output
    assert not (tmp_path / USERS_FILE).exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--eui", "90-B3-D5", "not an EUI-64"),
        ("--user-role", "Supplier", "unknown User Role"),
    ],
)
def test_register_bad_input_exits_2(tmp_path: Path, option: str, value: str, message: str) -> None:
    args = {"--eui": SRP, "--user-role": "IS", "--party": "P"}
    args[option] = value
    result = runner.invoke(
        app, ["register", "--repo", str(tmp_path)] + [x for kv in args.items() for x in kv]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / USERS_FILE).exists()


def test_a_corrupt_user_register_exits_2(tmp_path: Path) -> None:
    assert _issue(tmp_path).exit_code == 0
    (tmp_path / USERS_FILE).write_bytes(b"not a database")
    result = _issue(tmp_path, role="xmlsign")
    assert result.exit_code == 2
    assert "bad input: cannot use database" in result.output


def test_a_repository_path_that_is_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = runner.invoke(
        app,
        f"register --repo {tmp_path / 'file'} --eui {SRP} --user-role IS --party P".split(),
    )
    assert result.exit_code == 2
    assert "bad input" in result.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--eui", "90-B3-D5", "not an EUI-64"),
        ("--role", "boss", "unknown Remote Party Role"),
        ("--usage", "sign", "unknown key usage"),
        ("--user-role", "XX", "unknown User Role"),
        ("--at", "yesterday", "not an ISO 8601 time"),
        ("--at", "2026-01-01T00:00:00", "naive datetime"),
    ],
)
def test_issue_bad_input_exits_2(tmp_path: Path, option: str, value: str, message: str) -> None:
    args = {
        "--eui": SUPPLIER,
        "--role": "supplier",
        "--usage": "ds",
        "--user-role": "IS",
        "--at": AT,
    }
    args[option] = value
    result = runner.invoke(
        app, ["issue", "--repo", str(tmp_path / "r")] + [x for kv in args.items() for x in kv]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "r").exists()


def test_list_shows_every_record_with_status(tmp_path: Path) -> None:
    _issue(tmp_path)
    _issue(tmp_path, role="xmlsign")
    _issue(tmp_path, eui="90B3D51F30030000")
    result = runner.invoke(app, ["list", "--repo", str(tmp_path), "--at", "2026-06-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert result.output.count("IN_USE") == 3
    assert "supplier (02)" in result.output and "xmlSign (87)" in result.output
    assert "CN=S1,OU=07" in result.output

    only = runner.invoke(
        app, ["list", "--repo", str(tmp_path), "--eui", SUPPLIER, "--role", "supplier"]
    )
    assert only.exit_code == 0
    assert "90-B3-D5-1F-30-01-00-00" in only.output and "xmlSign" not in only.output
    assert "90-B3-D5-1F-30-03-00-00" not in only.output


def test_list_status_at_a_time_before_issue_is_pending(tmp_path: Path) -> None:
    _issue(tmp_path)
    result = runner.invoke(app, ["list", "--repo", str(tmp_path), "--at", "2025-01-01T00:00:00Z"])
    assert result.exit_code == 0 and "PENDING" in result.output


def test_list_without_a_repository_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--repo", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "no SMKI repository" in result.output
    assert not (tmp_path / "absent").exists()


def test_revoke_then_list_shows_revoked(tmp_path: Path) -> None:
    _issue(tmp_path)
    _issue(tmp_path, role="xmlsign")
    result = runner.invoke(
        app,
        f"revoke --repo {tmp_path} --eui {SUPPLIER} --role supplier --reason keyCompromise "
        "--at 2026-02-01T00:00:00Z",
    )
    assert result.exit_code == 0, result.output
    assert "revoked 90-B3-D5-1F-30-01-00-00 supplier (02) DS" in result.output
    assert "keyCompromise" in result.output
    repository = SmkiRepository.load(tmp_path)
    supplier, xml_sign = repository.records
    assert repository.is_revoked(supplier.certificate, supplier.revoked_at)
    assert repository.held_role_and_revoked(
        supplier.eui64, RemotePartyRole.SUPPLIER, supplier.revoked_at
    )
    assert xml_sign.revoked_at is None
    listing = runner.invoke(app, ["list", "--repo", str(tmp_path), "--at", "2026-03-01T00:00:00Z"])
    assert "REVOKED" in listing.output and "IN_USE" in listing.output


def test_revoke_with_nothing_to_revoke_exits_1(tmp_path: Path) -> None:
    _issue(tmp_path)
    args = ["revoke", "--repo", str(tmp_path), "--eui", SUPPLIER, "--role", "supplier"]
    assert runner.invoke(app, [*args, "--at", "2026-02-01T00:00:00Z"]).exit_code == 0
    again = runner.invoke(app, [*args, "--at", "2026-02-02T00:00:00Z"])
    assert again.exit_code == 1
    assert "holds no unrevoked supplier (02) certificate" in again.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--reason", "bored"], "unknown revocation reason"),
        (["--reason", "removeFromCRL"], "unknown revocation reason"),
        (["--at", "2020-01-01T00:00:00Z"], "before it was recorded"),
    ],
)
def test_revoke_bad_input_exits_2(tmp_path: Path, extra: list[str], message: str) -> None:
    _issue(tmp_path)
    index_before = (tmp_path / "index.json").read_bytes()
    result = runner.invoke(
        app,
        ["revoke", "--repo", str(tmp_path), "--eui", SUPPLIER, "--role", "supplier", *extra],
    )
    assert result.exit_code == 2
    assert message in result.output
    assert (tmp_path / "index.json").read_bytes() == index_before


def test_a_corrupt_repository_exits_2(tmp_path: Path) -> None:
    _issue(tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    index["records"][0]["revoked_at"] = AT
    index["records"][0]["revocation_reason"] = "keyCompromise"
    (tmp_path / "index.json").write_text(json.dumps(index))
    result = runner.invoke(app, ["list", "--repo", str(tmp_path)])
    assert result.exit_code == 2
    assert "index and CRL disagree" in result.output


def test_missing_required_option_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["issue", "--repo", str(tmp_path)])
    assert result.exit_code == 2
