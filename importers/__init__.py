"""Importers: scheduled syncs of FDA recalls and credential rosters through the service layer."""

__version__ = "0.1.0"
