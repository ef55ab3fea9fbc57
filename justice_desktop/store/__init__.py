"""The encrypted local store: the only place that speaks SQL."""
