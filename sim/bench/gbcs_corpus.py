"""GBCS throughput: decode and verify the whole RTDS 4.5.0 corpus, again and again, on one core.

Run with ``solrsim gbcs bench`` or ``python -m sim.bench.gbcs_corpus``. Prints messages per
second for each stage and the memory the run used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devices.gbcs.frame import GbcsMessage, decode
from devices.gbcs.keystore import KeyStore, load_keystore
from devices.gbcs.payload import decode_payload
from devices.gbcs.verify import check_mac, check_signature
from sim.bench._corpus import conformance_dir, run_on_corpus
from sim.bench._measure import max_rss_mib, measure


def find_corpus() -> Path | None:
    """The conformance folder holding the RTDS corpus, or None when it is absent."""
    root = conformance_dir()
    return root if root is not None and (root / "rtds" / "RTDS-4.5.0").is_dir() else None


def load_corpus(folder: Path) -> tuple[list[bytes], KeyStore]:
    files = sorted((folder / "rtds" / "RTDS-4.5.0").rglob("*.HEX"))
    messages = [bytes.fromhex(f.read_text().strip()) for f in files]
    return messages, load_keystore(folder / "rtds" / "keystore")


def stages(keys: KeyStore) -> dict[str, Callable[[bytes], object]]:
    def parse(data: bytes) -> GbcsMessage:
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


def run(folder: Path, seconds: float = 3.0) -> dict[str, float]:
    messages, keys = load_corpus(folder)
    print(f"RTDS corpus: {len(messages)} messages, {sum(map(len, messages)):,} bytes")
    results = {}
    for name, stage in stages(keys).items():
        rate, peak = measure(stage, messages, seconds, messages)
        results[name] = rate
        print(f"{name:32} {rate:10,.0f} messages/s   peak {peak / 1024:8,.0f} KiB per pass")
    print(f"max resident set size: {max_rss_mib():,.1f} MiB")
    return results


if __name__ == "__main__":
    run_on_corpus(find_corpus, run)
