"""Benchmark scripts that print numbers (run from the repository root: python -m bench.X)."""
