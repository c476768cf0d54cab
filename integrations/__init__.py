"""Microservice tasks."""
