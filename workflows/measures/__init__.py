"""Measures of S17 (no models): presence rate (到位率), visit compliance and satisfaction (满意度), per town and
per unit, computed with set-based queries (a fixed number of grouped queries whatever the number of rows)."""
