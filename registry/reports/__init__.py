"""Audit reports: what goes in, how it is rendered, issued, signed and verified."""
