"""Versioned schema changes, applied in order by `registry db upgrade`."""
