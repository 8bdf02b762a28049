"""Reliability and security tests: crashes, races, hostile input, roles, privacy."""
