"""The theory of improvement: the aim and driver diagram (theory, diagram) and change ideas (ideas)."""
