"""The reading plan: schedule, review with spaced repetition, stats and charts."""
