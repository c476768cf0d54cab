"""The apprise transport."""
