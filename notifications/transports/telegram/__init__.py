"""The telegram transport."""
