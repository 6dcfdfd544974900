"""GBCS throughput: decode and verify the whole RTDS 4.5.0 corpus, again and again, on one core.

Run with ``solrsim gbcs bench`` or ``python -m benchmarks.gbcs_corpus``. Prints messages per
second for each stage and the memory the run used.
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks.corpus import conformance_dir
from devices.gbcs.frame import decode
from devices.gbcs.keystore import KeyStore, load_keystore
from devices.gbcs.payload import decode_payload
from devices.gbcs.verify import check_mac, check_signature


def find_corpus() -> Path | None:
    """The conformance folder holding the RTDS corpus, or None when it is absent."""
    root = conformance_dir()
    return root if root is not None and (root / "rtds" / "RTDS-4.5.0").is_dir() else None


def load_corpus(folder: Path) -> tuple[list[bytes], KeyStore]:
    files = sorted((folder / "rtds" / "RTDS-4.5.0").rglob("*.HEX"))
    messages = [bytes.fromhex(f.read_text().strip()) for f in files]
    return messages, load_keystore(folder / "rtds" / "keystore")


def stages(keys: KeyStore) -> dict[str, Callable[[bytes], object]]:
    def parse(data: bytes) -> object:
        message = decode(data)
        decode_payload(message)
        return message

    def parse_and_mac(data: bytes) -> object:
        return check_mac(parse(data), keys)

    def parse_mac_and_signature(data: bytes) -> object:
        message = parse(data)
        return check_mac(message, keys), check_signature(message, keys)

    return {
        "parse (frame + payload)": parse,
        "parse + MAC check": parse_and_mac,
        "parse + MAC + signature check": parse_mac_and_signature,
    }


def throughput(messages: list[bytes], stage: Callable[[bytes], object], seconds: float) -> float:
    """Messages per second over whole passes of the corpus, for at least ``seconds``."""
    done, start = 0, time.perf_counter()
    while True:
        for data in messages:
            stage(data)
        done += len(messages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def peak_memory(messages: list[bytes], stage: Callable[[bytes], object]) -> int:
    """Peak bytes Python allocated while running one pass of ``stage``."""
    tracemalloc.start()
    for data in messages:
        stage(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def run(folder: Path, seconds: float = 3.0) -> dict[str, float]:
    messages, keys = load_corpus(folder)
    print(f"RTDS corpus: {len(messages)} messages, {sum(map(len, messages)):,} bytes")
    results = {}
    for name, stage in stages(keys).items():
        stage(messages[0])
        rate = throughput(messages, stage, seconds)
        peak = peak_memory(messages, stage)
        results[name] = rate
        print(f"{name:32} {rate:10,.0f} messages/s   peak {peak / 1024:8,.0f} KiB per pass")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"max resident set size: {rss / 1024:,.1f} MiB")
    return results


if __name__ == "__main__":
    corpus = find_corpus()
    if corpus is None:
        raise SystemExit("conformance corpus not found: set SOLRSIM_CONFORMANCE_DIR")
    run(corpus)
