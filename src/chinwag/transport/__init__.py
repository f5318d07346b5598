"""chinwag."""
