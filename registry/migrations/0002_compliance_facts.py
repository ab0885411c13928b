"""Facts the compliance checks need: cover-up procedures, state reaction reports, deletions."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('procedure', 'is_cover_up', BooleanField(default=False)),
        migrator.add_column('adverse_reaction', 'reported_to_state_on', DateField(null=True)),
        migrator.add_index('audit_event', ('chain', 'action')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('audit_event', 'audit_event_chain_action'),
        migrator.drop_column('adverse_reaction', 'reported_to_state_on'),
        migrator.drop_column('procedure', 'is_cover_up'),
    )
