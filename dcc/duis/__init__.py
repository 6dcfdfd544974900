"""DUIS: the DCC User Interface Specification's XML messages, their schema and signatures."""
