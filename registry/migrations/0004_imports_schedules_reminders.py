"""Roster rows, source validators, FDA event counts, scheduled job runs and reminders."""
from peewee import *


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"Meta": Meta})

    Clinic, User = stub('clinic'), stub('user_account')
    ImportRun, PigmentProduct = stub('import_run'), stub('pigment_product')

    class SourceState(Model):
        source = CharField()
        url = TextField()
        etag = CharField(null=True)
        last_modified = CharField(null=True)
        checked_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'source_state'
            indexes = ((('source', 'url'), True),)

    class RosterEntry(Model):
        roster = CharField()
        key = CharField()
        number = CharField(index=True)
        name = CharField(null=True)
        credential_type = CharField(null=True)
        status = CharField()
        status_text = CharField(null=True)
        active = BooleanField()
        issued_on = DateField(null=True)
        expires_on = DateField(null=True)
        digest = CharField(max_length=32)
        raw = TextField()
        run = ForeignKeyField(ImportRun, null=True, backref='roster_entries', on_delete='SET NULL')
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'roster_entry'
            indexes = ((('roster', 'key'), True),)

    class ProductEventCount(Model):
        product = ForeignKeyField(PigmentProduct, backref='event_counts', on_delete='CASCADE')
        source = CharField()
        query = TextField()
        total = IntegerField()
        serious = IntegerField()
        data_updated_on = DateField(null=True)
        counted_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'product_event_count'
            indexes = ((('product', 'source'), True),)

    class JobRun(Model):
        job = CharField()
        slot = DateTimeField()
        runner = CharField()
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        status = CharField()
        message = TextField(null=True)
        class Meta:
            database = db
            table_name = 'job_run'
            indexes = ((('job', 'slot'), True),)

    class Reminder(Model):
        kind = CharField()
        entity = CharField()
        entity_id = IntegerField()
        stage = IntegerField()
        due_on = DateField()
        user = ForeignKeyField(User, backref='reminders', on_delete='CASCADE')
        clinic = ForeignKeyField(Clinic, null=True, backref='reminders')
        subject = CharField()
        body = TextField()
        created_at = DateTimeField()
        emailed_at = DateTimeField(null=True)
        email_error = TextField(null=True)
        dismissed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'reminder'
            indexes = ((('kind', 'entity', 'entity_id', 'stage', 'due_on', 'user'), True),)

    db.create_tables([SourceState, RosterEntry, ProductEventCount, JobRun, Reminder])


def down(migrator, db):
    for table in ('reminder', 'job_run', 'product_event_count', 'roster_entry', 'source_state'):
        migrator.migrate(migrator.drop_table(table))
