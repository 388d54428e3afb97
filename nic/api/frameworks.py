"""API routes (being built)."""
