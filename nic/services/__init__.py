"""The logic: plain functions that validate, change state, commit, then enqueue or emit.
Views, API handlers, socket handlers, CLI commands and tasks all call these."""
