"""Leadership self-assessments: frameworks and their practices, rounds and ratings, evidence,
the leadership views and the assessment roll-up."""
