"""Infusion Desk: the front-desk application of a ketamine infusion clinic."""

__version__ = "0.1.0"
