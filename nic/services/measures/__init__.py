"""Measures and their data: definitions (measures), points and CSV import, the period grid
(periods), and the analysed charts (charts, with their cycle markers and phase splits)."""
