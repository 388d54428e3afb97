"""Named, idempotent tasks that take ids and reload what they need."""
