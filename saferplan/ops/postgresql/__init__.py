"""PostgreSQL as production uses it: Django's backend, with the kept connection's health check
made without a round trip (base.py)."""
