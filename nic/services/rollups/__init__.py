"""Roll-ups across schools: the snapshot computation (rollups, sql, series, connections), the
latest snapshot and the weekly digest, and the dashboards that read it."""
