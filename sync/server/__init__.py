"""The city server: accounts, authentication and (later) day-end sync for every office.

``justice-city-server serve`` runs it (``sync.server.cli``); ``sync.server.app.create_app``
builds the FastAPI application; the schema is in ``sync.server.db`` and migrated by Alembic
(``sync.server.migrate``). The process keeps no state: sessions, tokens and login counters live
in the database, so several processes can serve one PostgreSQL database.
"""
