"""`registry import SOURCE`: one import from the command line, with progress and a summary."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.db import connection


@click.command("import")
@click.argument("source", required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read this file instead of the source's URL (CSV, or JSON as the source "
                   "serves it).")
@click.option("--url", help="Read this URL instead of the configured one.")
@click.option("--dry-run", is_flag=True, help="Do everything, then roll it all back.")
@click.option("--list", "list_sources", is_flag=True, help="List the sources and exit.")
@with_appcontext
def import_command(source, file, url, dry_run, list_sources):
    """Import SOURCE: recalls, cosmetic-events, or a roster (see --list)."""
    from importers import pipeline, sources

    settings = current_app.config["REGISTRY_SETTINGS"]
    try:
        available = sources.available(settings)
    except ValueError as exc:
        raise click.ClickException(f"roster configuration: {exc}") from exc
    if list_sources or not source:
        for name, found in available.items():
            config = getattr(found, "config", None)
            detail = f"{config.title} [coverage: {config.coverage}]" if config else ""
            click.echo(f"{name:28} {detail}".rstrip())
        return
    if source not in available:
        raise click.ClickException(f"no source {source!r}; choose one of "
                                   f"{', '.join(available)}")
    if file and url:
        raise click.ClickException("give --file or --url, not both")
    with connection(), _Progress() as bar:
        try:
            outcome = pipeline.run(available[source], file=file, url=url, dry_run=dry_run,
                                   progress=bar.update)
        except pipeline.ImportRefused as exc:
            raise click.ClickException(str(exc)) from exc
    _summary(source, outcome)
    sys.exit(0 if outcome.status == "succeeded" else 1)


class _Progress:
    """A progress bar on standard error once a total is known, a running count otherwise."""

    def __init__(self):
        self.bar = None
        self.shown = 0

    def __enter__(self):
        return self

    def update(self, done: int, total: int | None):
        if total:
            if self.bar is None:
                self.bar = click.progressbar(length=total, file=sys.stderr, label="importing",
                                             show_percent=True, show_pos=False)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)
        elif done - self.shown >= 1000 or self.shown == 0:
            click.echo(f"\r{done:,} rows", nl=False, err=True)
            self.shown = done

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        elif self.shown:
            click.echo(err=True)


def _summary(source: str, outcome) -> None:
    counts = outcome.counts
    rows = [("source", source), ("status", outcome.status + (" (dry run, nothing saved)"
                                                              if outcome.dry_run else ""))]
    if outcome.run is not None:
        rows.append(("run", f"#{outcome.run.id}"))
    rows += [(name, f"{counts.get(name, 0):,}")
             for name in ("fetched", "created", "updated", "unchanged", "rejected")]
    if outcome.message:
        rows.append(("note", outcome.message))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{label:<{width}}  {value}")
    if outcome.rejected:
        click.echo("\nrejected rows (first ones):")
        for row_number, reason in outcome.rejected[:20]:
            click.echo(f"  row {row_number}: {reason}")
