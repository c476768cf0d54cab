"""The email transport."""
