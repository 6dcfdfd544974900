"""XML that names external resources, and a watch on those resources: a FIFO nobody may open
and a TCP port nobody may connect to.

Opening a FIFO for reading blocks until a writer comes, so the watcher polls it as a writer
(non-blocking): the first poll that finds a reader records it and lets the reader go with an
empty file, so a parser that misbehaves is caught rather than left hanging.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Watch:
    fifo: Path
    port: int
    opened: list[str] = field(default_factory=list)
    connected: list[str] = field(default_factory=list)

    @property
    def touched(self) -> list[str]:
        return self.opened + self.connected

    def documents(self) -> dict[str, bytes]:
        """Hostile documents by name, each naming the FIFO or the port."""
        fifo, http = f"file://{self.fifo}", f"http://127.0.0.1:{self.port}/x"
        system = f'<!DOCTYPE r SYSTEM "{fifo}"><r/>'
        texts = {
            "system": system,
            "public": f'<!DOCTYPE r PUBLIC "-//solrsim//hostile//EN" "{fifo}"><r/>',
            "parameter-entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{fifo}"> %p;]><r/>',
            "external-entity": f'<!DOCTYPE r [<!ENTITY e SYSTEM "{fifo}">]><r>&e;</r>',
            "network-dtd": f'<!DOCTYPE r SYSTEM "{http}"><r/>',
            "network-parameter-entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{http}"> %p;]><r/>',
            "xinclude": '<r xmlns:xi="http://www.w3.org/2001/XInclude">'
            f'<xi:include href="{fifo}" parse="text"/></r>',
            "after-declaration": f'<?xml version="1.0" encoding="UTF-8"?>\n{system}',
            "lower-case": system.replace("DOCTYPE", "doctype"),
        }
        found = {name: text.encode() for name, text in texts.items()}
        found["utf-16-bom"] = system.encode("utf-16")
        found["utf-16-unmarked"] = f'<?xml version="1.0" encoding="UTF-16"?>{system}'.encode(
            "utf-16-le"
        )
        found["utf-8-bom"] = b"\xef\xbb\xbf" + system.encode()
        return found


@contextmanager
def watched(folder: Path) -> Iterator[Watch]:
    """A FIFO in ``folder`` and a listening loopback port, watched until the block ends."""
    fifo = folder / "watched.fifo"
    os.mkfifo(fifo)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.01)
    watch = Watch(fifo, listener.getsockname()[1])
    stop = threading.Event()

    def poll() -> None:
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: no reader, as it should be
                raise
        else:
            watch.opened.append(str(fifo))
            os.close(writer)
        try:
            connection, peer = listener.accept()
        except TimeoutError:
            return
        watch.connected.append(f"{peer[0]}:{peer[1]}")
        connection.close()

    def run() -> None:
        while not stop.is_set():
            poll()
        poll()  # once more after the block, for anything that came at the very end

    watcher = threading.Thread(target=run, name="hostile-xml-watch", daemon=True)
    watcher.start()
    try:
        yield watch
    finally:
        stop.set()
        watcher.join(5)
        listener.close()
