"""Shop order events."""
