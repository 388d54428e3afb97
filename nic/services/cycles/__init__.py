"""PDSA cycles: creating and editing them (cycles), their phase moves (phases), chained cycles
(chain), field rules (fields), edit history and merges (history), quality nudges and the browse
filters."""
