"""The demo network: people, theory, cycles, measures, artifacts and assessments that tell one
story (`nic demo`; nic.demo.seed.seed_demo is the entry point)."""
