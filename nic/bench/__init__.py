"""The benchmark network: `nic bench seed` fills a large network fast (nic.bench.seed) for
tests/bench and make bench."""
