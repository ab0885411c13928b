"""Holds on lots with their releases, and credential validity periods kept as versions."""
from peewee import *


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"Meta": Meta})

    Credential, PigmentLot, Recall = stub('credential'), stub('pigment_lot'), stub('recall')

    class CredentialPeriod(Model):
        credential = ForeignKeyField(Credential, backref='periods')
        replaces = ForeignKeyField('self', null=True, unique=True, backref='replaced_by')
        action = CharField()
        kind = CharField()
        number = CharField(null=True)
        issuer = CharField()
        state = CharField(max_length=2, null=True)
        issued_on = DateField(null=True)
        expires_on = DateField(null=True)
        revoked_on = DateField(null=True)
        document_path = CharField(null=True)
        document_sha256 = CharField(max_length=64, null=True)
        verification_state = CharField(default='self_reported')
        verification_source = CharField(null=True)
        reason = TextField(null=True)
        recorded_at = DateTimeField(index=True)
        recorded_by = CharField()
        class Meta:
            database = db
            table_name = 'credential_period'

    class LotHold(Model):
        lot = ForeignKeyField(PigmentLot, backref='holds')
        kind = CharField()
        recall = ForeignKeyField(Recall, null=True, backref='holds')
        recall_number = CharField(null=True)
        starts_on = DateField()
        reason = TextField()
        placed_at = DateTimeField()
        placed_by = CharField()
        class Meta:
            database = db
            table_name = 'lot_hold'
            indexes = ((('lot', 'recall'), False),)

    class HoldRelease(Model):
        hold = ForeignKeyField(LotHold, unique=True, backref='releases')
        released_on = DateField()
        grounds = CharField()
        evidence = TextField()
        reason = TextField()
        recorded_at = DateTimeField()
        released_by = CharField()
        class Meta:
            database = db
            table_name = 'hold_release'

    db.create_tables([CredentialPeriod, LotHold, HoldRelease])

    # Each credential's dates so far become its first recorded period.
    db.execute_sql(
        "INSERT INTO credential_period (credential_id, action, kind, number, issuer, state, "
        "issued_on, expires_on, revoked_on, document_path, document_sha256, "
        "verification_state, verification_source, recorded_at, recorded_by) "
        "SELECT id, 'record', kind, number, issuer, state, issued_on, expires_on, revoked_on, "
        "document_path, document_sha256, verification_state, verification_source, created_at, "
        "'system:migration' FROM credential ORDER BY id")

    # Quarantines and recalls kept as lot statuses become holds; a later return to use
    # released them, as the registry then allowed.
    changes = db.execute_sql(
        "SELECT id, lot_id, status, effective_on, recorded_at, reason, recall_number "
        "FROM lot_status_change ORDER BY lot_id, effective_on, id").fetchall()
    open_holds = {}
    for _id, lot_id, status, effective_on, recorded_at, reason, recall_number in changes:
        if status in ('quarantined', 'recalled'):
            if lot_id in open_holds:
                continue
            recall = db.execute_sql(
                f"SELECT id FROM recall WHERE recall_number = {db.param}",
                (recall_number,)).fetchone() if recall_number else None
            cursor = LotHold.insert(
                lot=lot_id, kind='recall' if recall_number else 'quarantine',
                recall=recall[0] if recall else None, recall_number=recall_number,
                starts_on=effective_on, reason=reason or f'lot {status}',
                placed_at=recorded_at, placed_by='system:migration').execute()
            open_holds[lot_id] = cursor
        elif status == 'in_use' and lot_id in open_holds:
            HoldRelease.insert(
                hold=open_holds.pop(lot_id), released_on=effective_on,
                grounds='quarantine_resolved', evidence='Returned to use before holds were '
                'kept apart from the lot status.', reason=reason or 'returned to use',
                recorded_at=recorded_at, released_by='system:migration').execute()


def down(migrator, db):
    for table in ('hold_release', 'lot_hold', 'credential_period'):
        migrator.migrate(migrator.drop_table(table))
