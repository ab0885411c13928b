"""The sources the registry imports from, by name."""

from importers.sources.openfda_events import CosmeticEventSource
from importers.sources.openfda_recalls import RecallSource
from importers.sources.rosters import RosterSource, load_rosters


def available(settings) -> dict:
    """Every source by name: the two openFDA sources and one per configured roster."""
    sources = {"recalls": RecallSource(settings), "cosmetic-events": CosmeticEventSource(settings)}
    for config in load_rosters(settings.rosters_path).values():
        sources[config.name] = RosterSource(config)
    return sources
