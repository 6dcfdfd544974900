"""``solrsim smki``: register DCC Users, and issue, list and revoke SMKI Organisation
certificates in a test repository.

The repository is a folder (``--repo``) holding the test PKI, every certificate ever issued and
the CRLs, so a rehearsal can prepare identities, revoke a failed supplier's certificates and
show the result. Beside its index, ``users.sqlite`` is the DCC's register of Users, in the form
a DCC saves it (``dcc.state_store``): ``register`` records a User ID in its User Role once,
``suspend`` suspends it, and ``issue`` subscribes in the registered role only, as the DCC's SMKI
does (an unregistered, suspended or disguised subscriber is refused). Exit codes: 0 done,
1 refused (e.g. MP134B R2.2, a disguise, or nothing to revoke), 2 bad input (unknown role,
malformed EUI-64 or time, missing or corrupt repository or register).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from rich.console import Console
from rich.table import Table

from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.errors import SmkiError, SubscriptionRefused
from dcc.smki.names import eui64_text
from dcc.smki.repository import INDEX_FILE, CertificateRecord, SmkiRepository
from dcc.smki.roles import RemotePartyRole, parse_key_usage
from dcc.smki.subscription import SUBSCRIPTION_RULES, Subscriptions
from dcc.smki.times import parse_time
from dcc.sqlite_file import DatabaseError
from dcc.state_store import StateStore
from dcc.users import RegistrationError, User, UserRole, Users, UserStatus
from devices.gbcs.errors import GbcsKeyError
from devices.gbcs.keystore import parse_eui64

app = typer.Typer(
    help="Register DCC Users; issue, list and revoke SMKI Organisation certificates in a test "
    "repository.",
    no_args_is_help=True,
)

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
USERS_FILE = "users.sqlite"

RepoOption = Annotated[
    Path,
    typer.Option("--repo", help="repository folder; `register` or `issue` creates it"),
]
UserRoleOption = Annotated[
    str, typer.Option(help="DUIS User Role: " + ", ".join(SUBSCRIPTION_RULES))
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="ISO 8601 time with offset; default: now")
]


class _Stop(Exception):
    """Ends a command with a message and an exit code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@app.command()
def register(
    repo: RepoOption,
    eui: Annotated[str, typer.Option(help="User ID (EUI-64), e.g. 90-B3-D5-1F-30-01-00-00")],
    user_role: UserRoleOption,
    party: Annotated[str, typer.Option(help="the party the User ID belongs to")],
) -> None:
    """Register a DCC User: a User ID in one User Role, the only role it subscribes in."""

    def run() -> None:
        eui64 = _eui(eui)
        duis_role = UserRole(_user_role(user_role))
        _change_users(repo, lambda users: users.register(User(eui64, party, duis_role)))
        Console().print(f"registered {eui64_text(eui64)} ({party}) in User Role {duis_role}")

    _run(run)


@app.command()
def suspend(
    repo: RepoOption,
    eui: Annotated[str, typer.Option(help="User ID (EUI-64) to suspend")],
) -> None:
    """Suspend a DCC User: SMKI issues it no new certificate (`revoke` ends the ones it has)."""

    def run() -> None:
        eui64 = _eui(eui)
        _change_users(repo, lambda users: users.set_status(eui64, UserStatus.SUSPENDED))
        Console().print(f"suspended {eui64_text(eui64)}")

    _run(run)


@app.command()
def issue(
    repo: RepoOption,
    eui: Annotated[str, typer.Option(help="subscriber EUI-64, e.g. 90-B3-D5-1F-30-01-00-00")],
    role: Annotated[str, typer.Option(help="Remote Party Role: supplier, xmlSign, ...")],
    usage: Annotated[str, typer.Option(help="ds (digitalSignature) or ka (keyAgreement)")],
    user_role: UserRoleOption,
    party: Annotated[str | None, typer.Option(help="subscriber name, written as the CN")] = None,
    seed: Annotated[
        str | None,
        typer.Option(help="fixes the key (and the PKI of a new repository) so output replays"),
    ] = None,
    at: AtOption = None,
) -> None:
    """Subscribe in the registered User Role; writes certificate and private key under keys/."""

    def run() -> None:
        eui64 = _eui(eui)
        remote_role = RemotePartyRole.parse(role)
        key_usage = parse_key_usage(usage)
        duis_role = _user_role(user_role)
        now = _time(at)
        seed_bytes = None if seed is None else seed.encode()
        users = _load_users(repo)
        repository = _open(repo, create_seed=seed_bytes or os.urandom(32))
        if seed_bytes is None:
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            key = org_key_from_seed(seed_bytes, eui64, remote_role, key_usage)
        try:
            record = Subscriptions(repository, users).subscribe(
                party, duis_role, eui64, remote_role, key_usage, key.public_key(), now
            )
        except SubscriptionRefused as exc:
            raise _Stop(EXIT_REFUSED, f"refused: {exc.reason}") from None
        repository.save(repo)
        cert_path, key_path = _write_credentials(repo, record, remote_role, key)
        console = Console()
        console.print(f"issued {record.describe()} to User Role {duis_role}")
        console.print(f"certificate: {cert_path}")
        console.print(f"private key: {key_path}")

    _run(run)


@app.command("list")
def list_certificates(
    repo: RepoOption,
    eui: Annotated[str | None, typer.Option(help="only this EUI-64")] = None,
    role: Annotated[str | None, typer.Option(help="only this Remote Party Role")] = None,
    at: AtOption = None,
) -> None:
    """Every certificate ever recorded, revoked ones included, with its status at --at."""

    def run() -> None:
        eui64 = None if eui is None else _eui(eui)
        remote_role = None if role is None else RemotePartyRole.parse(role)
        when = _time(at)
        repository = _open(repo, create_seed=None)
        table = Table(title=f"SMKI repository {repo} at {when.isoformat()}")
        for column in ("EUI-64", "Role", "Usage", "Serial", "Issuer", "User Role", "Not after"):
            table.add_column(column)
        table.add_column("Status")
        for record in repository.records:
            if (eui64 is None or record.eui64 == eui64) and (
                remote_role is None or record.role == remote_role
            ):
                table.add_row(
                    eui64_text(record.eui64),
                    "device" if record.role is None else record.role.label,
                    record.key_usage.code,
                    f"{record.serial:#x}",
                    record.issuer.rfc4514_string(),
                    record.user_role or "-",
                    record.not_after.date().isoformat(),
                    record.status_at(when).name,
                )
        Console().print(table)

    _run(run)


@app.command()
def revoke(
    repo: RepoOption,
    eui: Annotated[str, typer.Option(help="EUI-64 whose certificates to revoke")],
    role: Annotated[str, typer.Option(help="Remote Party Role, e.g. supplier")],
    reason: Annotated[
        str, typer.Option(help="RFC 5280 reason, e.g. cessationOfOperation, keyCompromise")
    ] = "cessationOfOperation",
    at: AtOption = None,
) -> None:
    """Revoke every unrevoked certificate of an EUI-64 in a role and re-issue the CRL."""

    def run() -> None:
        eui64 = _eui(eui)
        remote_role = RemotePartyRole.parse(role)
        flag = _reason(reason)
        when = _time(at)
        repository = _open(repo, create_seed=None)
        revoked = repository.revoke_all_for(eui64, remote_role, flag, when)
        if not revoked:
            raise _Stop(
                EXIT_REFUSED,
                f"refused: {eui64_text(eui64)} holds no unrevoked {remote_role.label} certificate",
            )
        repository.save(repo)
        console = Console()
        for record in revoked:
            console.print(f"revoked {record.describe()} ({flag.value}) at {when.isoformat()}")

    _run(run)


def _run(command: Callable[[], None]) -> None:
    """Run a command body, turning refusals and bad input into a message and an exit code."""
    try:
        command()
    except _Stop as stop:
        Console(stderr=True).print(stop.message, markup=False)
        raise typer.Exit(stop.code) from None
    except SmkiError as exc:
        Console(stderr=True).print(f"bad input: {exc.reason}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (DatabaseError, OSError) as exc:
        Console(stderr=True).print(f"bad input: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _change_users(repo: Path, change: Callable[[Users], object]) -> None:
    """Apply ``change`` to the register saved beside the repository, and save it; a change the
    register refuses stops the command and saves nothing."""
    users = _load_users(repo)
    try:
        change(users)
    except RegistrationError as exc:
        raise _Stop(EXIT_REFUSED, f"refused: {exc}") from None
    _save_users(repo, users)


def _load_users(repo: Path) -> Users:
    """The DCC's register of Users kept beside the repository index; empty when there is none
    (reading creates nothing)."""
    path = repo / USERS_FILE
    if not path.exists():
        return Users()
    with StateStore.open(path) as store:
        return store.load_users()


def _save_users(repo: Path, users: Users) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    with StateStore.open(repo / USERS_FILE) as store:
        store.save_users(users)


def _open(repo: Path, *, create_seed: bytes | None) -> SmkiRepository:
    if (repo / INDEX_FILE).exists():
        return SmkiRepository.load(repo)
    if create_seed is None:
        raise _Stop(EXIT_BAD_INPUT, f"bad input: no SMKI repository at {repo}")
    return SmkiRepository(SmkiAuthority.from_seed(create_seed))


def _eui(text: str) -> bytes:
    try:
        return parse_eui64(text)
    except GbcsKeyError as exc:
        raise _Stop(EXIT_BAD_INPUT, f"bad input: {exc}") from None


def _user_role(text: str) -> str:
    for known in SUBSCRIPTION_RULES:
        if known.lower() == text.lower():
            return known
    known_roles = ", ".join(SUBSCRIPTION_RULES)
    raise _Stop(EXIT_BAD_INPUT, f"bad input: unknown User Role {text!r}; known: {known_roles}")


def _reason(text: str) -> x509.ReasonFlags:
    for flag in x509.ReasonFlags:
        if flag.value.lower() == text.lower() and flag is not x509.ReasonFlags.remove_from_crl:
            return flag
    raise _Stop(EXIT_BAD_INPUT, f"bad input: unknown revocation reason {text!r}")


def _time(text: str | None) -> datetime:
    return datetime.now(UTC) if text is None else parse_time(text)


def _write_credentials(
    repo: Path, record: CertificateRecord, role: RemotePartyRole, key: ec.EllipticCurvePrivateKey
) -> tuple[Path, Path]:
    """``keys/<EUI>-<OU>-<usage>-<serial>.pem`` and ``.key.pem`` (unencrypted PKCS#8: test
    identities only, as the DCC Boxed key set is)."""
    folder = repo / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    usage = record.key_usage.value
    stem = f"{record.eui64.hex().upper()}-{role.ou}-{usage}-{record.serial:x}"
    cert_path = folder / f"{stem}.pem"
    key_path = folder / f"{stem}.key.pem"
    cert_path.write_bytes(record.certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
