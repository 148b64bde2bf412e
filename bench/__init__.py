"""Benchmarks: real corpora in throw-away git repositories, real services, printed tables."""
