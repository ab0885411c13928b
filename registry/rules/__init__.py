"""Jurisdiction rule packs and the compliance engine that applies them."""
