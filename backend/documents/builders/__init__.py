"""Builders: read records for one document kind and return an Output (tables and template context)."""
