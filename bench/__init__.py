"""Benchmarks run against a real server (`make bench`)."""
