"""The importers as scheduled jobs: each runs its sources with the configured defaults."""

from flask import current_app

from importers import pipeline, sources

# Rosters imported on schedule: those with a URL of their own (CSV-only rosters are uploaded).
SCHEDULED_ROSTER_COVERAGE = ("yes", "unverified", "partial")


def _run(names: list[str]) -> str:
    settings = current_app.config["REGISTRY_SETTINGS"]
    available = sources.available(settings)
    summaries, failed = [], []
    for name in names:
        outcome = pipeline.run(available[name], triggered_by="schedule")
        summaries.append(f"{name}: {outcome.status}")
        if outcome.status != "succeeded":
            failed.append(f"{name}: {outcome.message}")
    if failed:
        raise RuntimeError("; ".join(failed))
    return "; ".join(summaries)


def recalls() -> str:
    return _run(["recalls"])


def cosmetic_events() -> str:
    return _run(["cosmetic-events"])


def rosters() -> str:
    """Every roster with a published URL whose coverage of body-art licences is possible."""
    settings = current_app.config["REGISTRY_SETTINGS"]
    names = [name for name, source in sources.available(settings).items()
             if hasattr(source, "config") and source.config.url
             and source.config.coverage in SCHEDULED_ROSTER_COVERAGE]
    return _run(names) if names else "no roster has a URL to fetch"
