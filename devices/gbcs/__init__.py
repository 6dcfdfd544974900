"""The GBCS wire layer: framing, cryptography, payload codecs and catalogues. Pure: no I/O
except :func:`devices.gbcs.keystore.load_keystore`, which reads a key folder."""
