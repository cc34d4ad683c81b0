"""Models of this app (see docs/architecture.md for what lives where)."""
