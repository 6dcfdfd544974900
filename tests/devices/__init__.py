"""Tests of the virtual SMETS2+ meters and the fleet."""
