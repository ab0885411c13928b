"""Report lineage: which issued report superseded which, and reports as known on a day."""
from peewee import *


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"Meta": Meta})

    IssuedReport = stub('issued_report')

    class ReportSupersession(Model):
        earlier = ForeignKeyField(IssuedReport, unique=True, backref='superseded_by')
        later = ForeignKeyField(IssuedReport, backref='supersedes')
        recorded_at = DateTimeField()
        changes = TextField()
        change_count = IntegerField()
        reason = TextField()
        class Meta:
            database = db
            table_name = 'report_supersession'

    migrator.migrate(
        migrator.add_column('issued_report', 'known_on', DateField(null=True)),
        migrator.add_column('issued_report', 'events_seen', IntegerField(null=True)),
    )
    db.create_tables([ReportSupersession])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table('report_supersession'),
        migrator.drop_column('issued_report', 'events_seen'),
        migrator.drop_column('issued_report', 'known_on'),
    )
