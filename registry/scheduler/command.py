"""`registry scheduler`: the process that runs the scheduled jobs."""

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("scheduler")
@click.option("--once", is_flag=True,
              help="Run each job's most recent slot unless it has run, then exit (for cron).")
@click.option("--standby-retry", default=5.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0.01), help="How often a standby tries to take over.")
@with_appcontext
def scheduler(once, standby_retry):
    """Run the scheduled jobs (times UTC): one leader at a time, each job's slot once."""
    from registry.scheduler import leader, loop
    from registry.scheduler.config import ScheduleError, parse_schedule

    try:
        entries = parse_schedule(current_app.config["REGISTRY_SETTINGS"].schedule)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from exc
    stop = loop.Stop()
    with loop.stopped_by_signals(stop), loop.utc_clock():
        loop.run(entries, leader.leadership(), stop, once=once, standby_retry=standby_retry)
