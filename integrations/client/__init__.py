"""The producer client microservices copy: `celery_utils.py` (its only dependency is redis)."""
