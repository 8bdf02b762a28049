"""Benchmarks: each figure is measured against a bare baseline in the same run."""
