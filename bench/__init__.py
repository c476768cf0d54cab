"""Benchmarks (`make bench`): each figure printed against a baseline measured in the same run."""
