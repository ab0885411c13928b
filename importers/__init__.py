"""Importers: scheduled syncs of FDA recalls and credential rosters through the service layer."""
