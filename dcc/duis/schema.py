"""Run-time XSD validation of DUIS documents: solrsim's own schema, or an official one.

``solrsim_schema()`` is shipped in the package (``xsd/solrsim-duis.xsd`` and
``xsd/solrsim-xmldsig.xsd``): it covers exactly what solrsim simulates, and every document it
accepts is also valid against the official DUIS V5.4 schema. Its ``ds:Signature`` is checked
strictly against the shape of the DCC signing profile (a restriction of the W3C XML-DSig schema);
the algorithms themselves are dcc/duis/xmldsig.py's business.

``official_schema(folder)`` compiles ``DUIS Schema V5.4.xsd`` (or 5.1) from a folder a user
points to. Its imports - the MMC schema, ``xmldsig-core-schema.xsd`` and the DTDs that one
names by ``http://www.w3.org/...`` - are served from that same folder by file name, never from
the network; file names with spaces work. Compiled schemas are cached.

Validation failures raise :class:`DuisSchemaError` with the first errors and their lines and the
code of :data:`dcc.duis.codes.SCHEMA_INVALID`; a schema that cannot be loaded raises
:class:`SchemaLoadError`, a set-up problem rather than a refused document.
"""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

from .codes import SCHEMA_INVALID
from .errors import DuisSchemaError

if TYPE_CHECKING:
    from lxml.etree._docloader import _InputDocument  # what the resolve_* methods return

PACKAGE_XSD = Path(__file__).with_name("xsd")
SOLRSIM_SCHEMA = "solrsim-duis.xsd"
MAX_REPORTED_ERRORS = 5

_XS = "http://www.w3.org/2001/XMLSchema"
_REFERENCES = (f"{{{_XS}}}import", f"{{{_XS}}}include", f"{{{_XS}}}redefine")


class SchemaLoadError(Exception):
    """An XSD that could not be found, read or compiled."""


class LocalResolver(etree.Resolver):
    """Serves every schema import and DTD from one folder by file name; refuses anything else.

    ``served`` and ``refused`` record the URLs asked for, so a caller can say what went wrong.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.served: list[str] = []
        self.refused: list[str] = []

    def resolve(
        self, system_url: str | None, public_id: str | None, context: object
    ) -> _InputDocument:
        name = PurePosixPath(unquote(urlsplit(system_url or "").path)).name
        candidate = self.folder / name
        if name and candidate.is_file():
            self.served.append(system_url or "")
            return self.resolve_filename(str(candidate), context)
        self.refused.append(system_url or public_id or "")
        return self.resolve_string("", context)


def schema_parser(resolver: LocalResolver) -> etree.XMLParser:
    """A parser for trusted schema files: DTDs and entities allowed, but only from the folder."""
    parser = etree.XMLParser(no_network=True, load_dtd=True, resolve_entities=True)
    parser.resolvers.add(resolver)
    return parser


def compile_schema(path: Path) -> etree.XMLSchema:
    """Compile the XSD at ``path``, resolving its imports in its own folder only (not cached)."""
    if not path.is_file():
        raise SchemaLoadError(f"no schema at {path}")
    resolver = LocalResolver(path.parent)
    try:
        document = etree.parse(str(path), schema_parser(resolver))
        for reference in document.getroot().iter(*_REFERENCES):
            location = reference.get("schemaLocation")
            if location is not None:
                # libxml2 drops a relative reference with spaces instead of resolving it.
                reference.set("schemaLocation", quote(location, safe="/:%"))
        return etree.XMLSchema(document)
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        refused = (
            f"; not found beside it: {', '.join(resolver.refused)}" if resolver.refused else ""
        )
        raise SchemaLoadError(f"cannot compile {path}: {exc}{refused}") from None


@functools.cache
def solrsim_schema() -> etree.XMLSchema:
    return compile_schema(PACKAGE_XSD / SOLRSIM_SCHEMA)


def official_schema(folder: str | Path, version: str = "5.4") -> etree.XMLSchema:
    """``DUIS Schema V{version}.xsd`` from ``folder``, compiled once per file."""
    return _cached(Path(folder).resolve() / f"DUIS Schema V{version}.xsd")


@functools.cache
def _cached(path: Path) -> etree.XMLSchema:
    return compile_schema(path)


def validate(document: etree._ElementTree | etree._Element, schema: etree.XMLSchema) -> None:
    """Raise :class:`DuisSchemaError` listing the first errors unless ``document`` is valid."""
    if schema.validate(document):
        return
    errors = list(schema.error_log)
    shown = "; ".join(
        f"line {error.line}: {error.message}" for error in errors[:MAX_REPORTED_ERRORS]
    )
    more = (
        f" (and {len(errors) - MAX_REPORTED_ERRORS} more)"
        if len(errors) > MAX_REPORTED_ERRORS
        else ""
    )
    raise DuisSchemaError(f"not valid against the DUIS schema: {shown}{more}", SCHEMA_INVALID)
