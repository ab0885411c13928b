"""`registry recalls impact`: the clinics, clients and procedures a recall's lots reached."""

import click
from flask.cli import with_appcontext

from registry.db import connection

recalls_group = click.Group("recalls", help="Recalls and the clients their lots reached.")


def _find_recall(recall: str):
    from registry.models import Recall

    found = Recall.get_or_none((Recall.id == int(recall)) if recall.isdigit()
                               else (Recall.recall_number == recall))
    if found is None:
        raise click.ClickException(f"no recall {recall!r}")
    return found


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@recalls_group.command("impact")
@click.argument("recall")
@click.option("--csv", "clinic_id", type=int,
              help="Write this clinic's list of clients to notify (needs --output).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Where to write the CSV.")
@click.option("--clients", "with_clients", is_flag=True,
              help="Also print each client's reference with its procedures.")
@with_appcontext
def recalls_impact(recall, clinic_id, output, with_clients):
    """Print the clinics RECALL (its id or recall number) reached, with counts; never clients'
    contact details, and their references and procedures only with --clients."""
    from registry.services.trace import impact_csv, operator_impact

    if (clinic_id is None) != (output is None):
        raise click.UsageError("--csv and --output go together")
    with connection():
        found = _find_recall(recall)
        impact = operator_impact(found)
    if clinic_id is not None:
        clinic = next((c for c in impact.clinics if c.clinic_id == clinic_id), None)
        if clinic is None:
            raise click.ClickException(
                f"no client of clinic {clinic_id} received a lot of recall {found.recall_number}")
        with open(output, "w", encoding="utf-8", newline="") as out:
            out.write(impact_csv(clinic))
        click.echo(f"{output}: {_plural(clinic.client_count, 'client')} of {clinic.name}; "
                   "initials, email and phone are left blank (the clinic's officers download "
                   "them from the recall's page)")
        return
    click.echo(f"Recall {found.recall_number}: {found.recalling_firm}, "
               f"{found.classification or 'unclassified'}")
    click.echo(f"{_plural(len(impact.lot_ids), 'lot')} matched; "
               f"{_plural(len(impact.clinics), 'clinic')}, "
               f"{_plural(impact.client_count, 'client')}, "
               f"{_plural(impact.procedure_count, 'procedure')} reached")
    for clinic in impact.clinics:
        click.echo(f"\n{clinic.name} ({clinic.state}), clinic {clinic.clinic_id}: "
                   f"{_plural(clinic.client_count, 'client')}, "
                   f"{_plural(clinic.procedure_count, 'procedure')}")
        for client in clinic.clients if with_clients else ():
            uses = "; ".join(f"{use.performed_on.isoformat()} {use.body_area}, lot "
                             f"{use.lot_number} ({use.product})" for use in client.uses)
            click.echo(f"  {client.reference}: {uses}")
