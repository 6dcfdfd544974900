"""Input a command cannot use: a file, option or pasted message that does not read as it must."""

from __future__ import annotations


class InputError(Exception):
    """What the command was given cannot be used; the message says what and why."""
