"""Alembic migrations of the city server's database (run by ``sync.server.migrate``)."""
