"""The DCC Boxed signing tool, run as its npm wrapper ``@smartdcc/duis-sign-wrap`` runs it.

The package holds the tool as a Java jar with the DCC Boxed test keys built in: ``Sign`` picks
the key of the RequestID's originator, ``Validate`` the certificate named by the signature's
serial number. Tests find it through ``SOLRSIM_DUIS_SIGN_WRAP`` (the jar, the package folder, or
the folder npm installed into), else where ``.ci/install-duis-sign-wrap`` puts it; without Java
or the package they skip, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

VARIABLE = "SOLRSIM_DUIS_SIGN_WRAP"
INSTALLED = Path(__file__).resolve().parents[2] / ".ci" / "tools" / "duis-sign-wrap"
_IN_PACKAGE = Path("dist", "tool.jar")
_IN_PREFIX = Path("node_modules", "@smartdcc", "duis-sign-wrap") / _IN_PACKAGE
_MAIN = "uk.co.smartdcc.boxed.xmldsig"
# A short-lived JVM: these options halve its start-up, which is most of the tool's time.
_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")
VALID = 0  # the tool's exit codes (its ResultCode)
VALIDATION_FAILED = 10


@dataclass(frozen=True)
class SigningTool:
    java: str
    jar: Path

    def run(self, tool: str, document: bytes, *options: str) -> subprocess.CompletedProcess:
        command = [self.java, *_JVM, "-cp", str(self.jar), f"{_MAIN}.{tool}", "-", *options]
        return subprocess.run(command, input=document, capture_output=True, timeout=120)

    def sign(self, document: bytes) -> bytes:
        """``document`` signed with the key of its originator; the RequestID counter kept."""
        done = self.run("Sign", document, "--preserveCounter")
        assert done.returncode == VALID, done.stderr.decode()
        return done.stdout

    def validate(self, document: bytes) -> tuple[int, str]:
        """The tool's exit code for ``document`` (schema, then signature) and what it said."""
        done = self.run("Validate", document)
        return done.returncode, done.stderr.decode()


def find_signing_tool() -> SigningTool:
    """The tool, or a skip that says what is missing (a failure if the variable is wrong)."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java not found: the DCC Boxed signing tool needs a JRE 11 or newer")
    named = os.environ.get(VARIABLE)
    for place in [Path(named)] if named else [INSTALLED]:
        for jar in (place, place / _IN_PACKAGE, place / _IN_PREFIX):
            if jar.is_file():
                return SigningTool(java, jar)
    if named:
        pytest.fail(f"{VARIABLE}={named} holds no {_IN_PACKAGE} of @smartdcc/duis-sign-wrap")
    pytest.skip(
        "DCC Boxed signing tool not found: run .ci/install-duis-sign-wrap, or set "
        f"{VARIABLE} to an installed @smartdcc/duis-sign-wrap"
    )
