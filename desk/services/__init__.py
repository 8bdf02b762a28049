"""Use cases: each checks the role, runs the domain rule, writes the audit entry, commits."""
