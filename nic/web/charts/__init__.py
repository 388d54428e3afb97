"""Measure charts: one school's or the network's pooled chart, the network view with
every school's small multiple, and the phases (splits) of a chart: blueprint `charts`."""
