"""Printed documents (PDF) of the core: fonts, A4 layout, the mediation forms, the bound file."""
