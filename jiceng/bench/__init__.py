"""Benchmarks, separate from the tests: run with `jiceng bench <name>` (see BENCHMARKS.md)."""
