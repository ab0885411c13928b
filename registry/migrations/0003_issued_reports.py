"""Audit reports the registry has issued."""
from peewee import *


def up(migrator, db):
    class Clinic(Model):
        class Meta:
            database = db
            table_name = 'clinic'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user_account'

    class IssuedReport(Model):
        clinic = ForeignKeyField(Clinic, backref='reports')
        as_of = DateField()
        data_state = CharField(max_length=64)
        current_at = CharField(max_length=120, null=True)
        code = CharField(max_length=16, unique=True)
        sha256 = CharField(max_length=64, unique=True)
        file_name = CharField()
        size = IntegerField()
        signed = BooleanField(default=False)
        issued_at = DateTimeField()
        issued_by = ForeignKeyField(User, null=True, backref='issued_reports')
        class Meta:
            database = db
            table_name = 'issued_report'
            indexes = ((('clinic', 'as_of', 'data_state'), True),)
    db.create_tables([IssuedReport])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('issued_report'))
