"""The whole data model, and the triggers that keep the audit trail append-only."""
from peewee import *


def up(migrator, db):
    class Clinic(Model):
        name = CharField()
        state = CharField(index=True, max_length=2)
        county = CharField(null=True)
        city = CharField(null=True)
        address = TextField(null=True)
        timezone = CharField(default='America/New_York')
        disciplines = CharField(default='smp')
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'clinic'
    db.create_tables([Clinic])

    class Client(Model):
        clinic = ForeignKeyField(Clinic)
        reference = CharField()
        initials = CharField(null=True, max_length=8)
        birth_date = DateField(null=True)
        sex = CharField(null=True)
        email = CharField(null=True)
        phone = CharField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'client'
            indexes = ((('clinic', 'reference'), True),)
    db.create_tables([Client])

    class Practitioner(Model):
        first_name = CharField()
        last_name = CharField()
        email = CharField(null=True)
        phone = CharField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'practitioner'
    db.create_tables([Practitioner])

    class Procedure(Model):
        clinic = ForeignKeyField(Clinic)
        practitioner = ForeignKeyField(Practitioner)
        client = ForeignKeyField(Client)
        performed_on = DateField(index=True)
        discipline = CharField(default='smp')
        body_area = CharField()
        session_number = IntegerField(default=1)
        consent_on_file = BooleanField(default=False)
        parental_consent_on_file = BooleanField(default=False)
        aftercare_given = BooleanField(default=False)
        status = CharField(default='completed')
        notes = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'procedure'
    db.create_tables([Procedure])

    class AdverseReaction(Model):
        clinic = ForeignKeyField(Clinic)
        client = ForeignKeyField(Client)
        procedure = ForeignKeyField(Procedure, null=True)
        patient_age = IntegerField(null=True)
        patient_age_unit = CharField(default='years')
        patient_sex = CharField(null=True)
        event_on = DateField()
        aware_on = DateField()
        description = TextField()
        body_site = CharField(null=True)
        relevant_tests = TextField(null=True)
        relevant_history = TextField(null=True)
        outcome_death = BooleanField(default=False)
        death_on = DateField(null=True)
        outcome_life_threatening = BooleanField(default=False)
        outcome_hospitalization = BooleanField(default=False)
        outcome_disability = BooleanField(default=False)
        outcome_congenital_anomaly = BooleanField(default=False)
        outcome_infection = BooleanField(default=False)
        outcome_disfigurement = BooleanField(default=False)
        outcome_intervention_required = BooleanField(default=False)
        outcome_other_serious = BooleanField(default=False)
        serious = BooleanField(index=True, default=False)
        product_available = BooleanField(null=True)
        reported_to_manufacturer_on = DateField(null=True)
        reported_to_fda_on = DateField(null=True)
        fda_report_number = CharField(null=True)
        status = CharField(default='open')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'adverse_reaction'
    db.create_tables([AdverseReaction])

    class Affiliation(Model):
        practitioner = ForeignKeyField(Practitioner)
        clinic = ForeignKeyField(Clinic)
        title = CharField(default='practitioner')
        starts_on = DateField()
        ends_on = DateField(null=True)
        class Meta:
            database = db
            table_name = 'affiliation'
            indexes = ((('clinic', 'practitioner', 'starts_on'), True),)
    db.create_tables([Affiliation])

    class User(Model):
        email = CharField(unique=True)
        display_name = CharField()
        password_hash = CharField(null=True)
        is_active = BooleanField(default=True)
        created_at = DateTimeField()
        password_changed_at = DateTimeField(null=True)
        disabled_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user_account'
    db.create_tables([User])

    class ApiToken(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField()
        token_hash = CharField(unique=True)
        scopes = CharField(default='')
        created_at = DateTimeField()
        expires_at = DateTimeField(null=True)
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_token'
    db.create_tables([ApiToken])

    class AuditChainHead(Model):
        chain = CharField(primary_key=True)
        seq = IntegerField()
        mac = CharField(max_length=64)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'audit_chain_head'
    db.create_tables([AuditChainHead])

    class AuditEvent(Model):
        chain = CharField()
        seq = IntegerField()
        occurred_at = DateTimeField()
        actor_id = IntegerField(null=True)
        actor = CharField()
        action = CharField()
        entity = CharField()
        entity_id = CharField()
        changes = TextField()
        reason = TextField(null=True)
        key_id = CharField()
        prev_mac = CharField(max_length=64)
        mac = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('chain', 'seq'), True), (('entity', 'entity_id'), False))
    db.create_tables([AuditEvent])

    class Manufacturer(Model):
        name = CharField(unique=True)
        country = CharField(null=True)
        address = TextField(null=True)
        fda_registration_number = CharField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'manufacturer'
    db.create_tables([Manufacturer])

    class PigmentProduct(Model):
        manufacturer = ForeignKeyField(Manufacturer)
        brand = CharField()
        name = CharField()
        shade = CharField(null=True)
        sku = CharField(null=True)
        description = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'pigment_product'
            indexes = ((('manufacturer', 'brand', 'name', 'shade'), True),)
    db.create_tables([PigmentProduct])

    class Colorant(Model):
        product = ForeignKeyField(PigmentProduct, on_delete='CASCADE')
        name = CharField()
        ci_number = CharField(index=True, null=True)
        cas_number = CharField(null=True)
        class Meta:
            database = db
            table_name = 'colorant'
    db.create_tables([Colorant])

    class Inspection(Model):
        clinic = ForeignKeyField(Clinic)
        inspector = ForeignKeyField(User, null=True)
        inspected_on = DateField(index=True)
        kind = CharField(default='routine')
        result = CharField(null=True)
        notes = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'inspection'
    db.create_tables([Inspection])

    class Finding(Model):
        inspection = ForeignKeyField(Inspection, on_delete='CASCADE')
        requirement_id = CharField(null=True)
        severity = CharField(default='minor')
        description = TextField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'finding'
    db.create_tables([Finding])

    class CorrectiveAction(Model):
        finding = ForeignKeyField(Finding, on_delete='CASCADE')
        description = TextField()
        due_on = DateField()
        completed_on = DateField(null=True)
        status = CharField(default='open')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'corrective_action'
    db.create_tables([CorrectiveAction])

    class Credential(Model):
        practitioner = ForeignKeyField(Practitioner, null=True)
        clinic = ForeignKeyField(Clinic, null=True)
        kind = CharField(index=True)
        number = CharField(null=True)
        issuer = CharField()
        state = CharField(null=True, max_length=2)
        issued_on = DateField(null=True)
        expires_on = DateField(index=True, null=True)
        revoked_on = DateField(null=True)
        document_path = CharField(null=True)
        document_sha256 = CharField(null=True, max_length=64)
        verification_state = CharField(default='self_reported')
        verification_source = CharField(null=True)
        verified_at = DateTimeField(null=True)
        notes = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'credential'
    db.create_tables([Credential])

    class CredentialVerification(Model):
        credential = ForeignKeyField(Credential)
        state = CharField()
        source = CharField()
        checked_at = DateTimeField()
        raw = TextField(null=True)
        note = TextField(null=True)
        class Meta:
            database = db
            table_name = 'credential_verification'
    db.create_tables([CredentialVerification])

    class ImportRun(Model):
        source = CharField(index=True)
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        status = CharField(default='running')
        fetched = IntegerField(default=0)
        created = IntegerField(default=0)
        updated = IntegerField(default=0)
        unchanged = IntegerField(default=0)
        rejected = IntegerField(default=0)
        message = TextField(null=True)
        triggered_by = CharField(default='schedule')
        class Meta:
            database = db
            table_name = 'import_run'
    db.create_tables([ImportRun])

    class LoginAttempt(Model):
        account_key = CharField(index=True)
        address = CharField(index=True)
        attempted_at = DateTimeField(index=True)
        succeeded = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'login_attempt'
    db.create_tables([LoginAttempt])

    class PigmentLot(Model):
        product = ForeignKeyField(PigmentProduct)
        clinic = ForeignKeyField(Clinic)
        lot_number = CharField()
        manufactured_on = DateField(null=True)
        expires_on = DateField(index=True, null=True)
        received_on = DateField()
        opened_on = DateField(null=True)
        sds_reference = CharField(null=True)
        status = CharField(default='received')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'pigment_lot'
            indexes = ((('clinic', 'product', 'lot_number'), True),)
    db.create_tables([PigmentLot])

    class LotStatusChange(Model):
        lot = ForeignKeyField(PigmentLot)
        status = CharField()
        effective_on = DateField()
        recorded_at = DateTimeField()
        reason = TextField(null=True)
        recall_number = CharField(null=True)
        class Meta:
            database = db
            table_name = 'lot_status_change'
    db.create_tables([LotStatusChange])

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField()
        clinic = ForeignKeyField(Clinic, null=True)
        jurisdiction = CharField(null=True, max_length=2)
        granted_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'membership'
    db.create_tables([Membership])

    class ProcedureLot(Model):
        procedure = ForeignKeyField(Procedure, on_delete='CASCADE')
        lot = ForeignKeyField(PigmentLot)
        class Meta:
            database = db
            table_name = 'procedure_lot'
            indexes = ((('procedure', 'lot'), True),)
    db.create_tables([ProcedureLot])

    class ReactionLot(Model):
        reaction = ForeignKeyField(AdverseReaction, on_delete='CASCADE')
        lot = ForeignKeyField(PigmentLot)
        class Meta:
            database = db
            table_name = 'reaction_lot'
            indexes = ((('reaction', 'lot'), True),)
    db.create_tables([ReactionLot])

    class Recall(Model):
        recall_number = CharField(unique=True)
        event_id = CharField(null=True)
        status = CharField(null=True)
        classification = CharField(null=True)
        product_type = CharField(null=True)
        recalling_firm = CharField(index=True)
        address_1 = CharField(null=True)
        address_2 = CharField(null=True)
        city = CharField(null=True)
        state = CharField(null=True)
        postal_code = CharField(null=True)
        country = CharField(null=True)
        product_description = TextField()
        product_quantity = TextField(null=True)
        code_info = TextField(null=True)
        more_code_info = TextField(null=True)
        reason_for_recall = TextField(null=True)
        voluntary_mandated = CharField(null=True)
        initial_firm_notification = CharField(null=True)
        distribution_pattern = TextField(null=True)
        recall_initiation_date = DateField(null=True)
        center_classification_date = DateField(null=True)
        report_date = DateField(null=True)
        termination_date = DateField(null=True)
        source = CharField(default='openfda')
        raw = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'recall'
    db.create_tables([Recall])

    class RecallMatch(Model):
        recall = ForeignKeyField(Recall)
        lot = ForeignKeyField(PigmentLot)
        rule = CharField()
        matched_text = TextField()
        matched_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'recall_match'
            indexes = ((('recall', 'lot'), True),)
    db.create_tables([RecallMatch])

    class RejectedRow(Model):
        run = ForeignKeyField(ImportRun, on_delete='CASCADE')
        row_number = IntegerField()
        reason = TextField()
        raw = TextField(null=True)
        class Meta:
            database = db
            table_name = 'rejected_row'
    db.create_tables([RejectedRow])

    class SessionRecord(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        token_hash = CharField(unique=True)
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        expires_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        user_agent = TextField(null=True)
        class Meta:
            database = db
            table_name = 'session_record'
    db.create_tables([SessionRecord])
    install_audit_guards(db)


def down(migrator, db):
    remove_audit_guards(db)
    migrator.migrate(migrator.drop_table('session_record'))
    migrator.migrate(migrator.drop_table('rejected_row'))
    migrator.migrate(migrator.drop_table('recall_match'))
    migrator.migrate(migrator.drop_table('recall'))
    migrator.migrate(migrator.drop_table('reaction_lot'))
    migrator.migrate(migrator.drop_table('procedure_lot'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('lot_status_change'))
    migrator.migrate(migrator.drop_table('pigment_lot'))
    migrator.migrate(migrator.drop_table('login_attempt'))
    migrator.migrate(migrator.drop_table('import_run'))
    migrator.migrate(migrator.drop_table('credential_verification'))
    migrator.migrate(migrator.drop_table('credential'))
    migrator.migrate(migrator.drop_table('corrective_action'))
    migrator.migrate(migrator.drop_table('finding'))
    migrator.migrate(migrator.drop_table('inspection'))
    migrator.migrate(migrator.drop_table('colorant'))
    migrator.migrate(migrator.drop_table('pigment_product'))
    migrator.migrate(migrator.drop_table('manufacturer'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('audit_chain_head'))
    migrator.migrate(migrator.drop_table('api_token'))
    migrator.migrate(migrator.drop_table('user_account'))
    migrator.migrate(migrator.drop_table('affiliation'))
    migrator.migrate(migrator.drop_table('adverse_reaction'))
    migrator.migrate(migrator.drop_table('procedure'))
    migrator.migrate(migrator.drop_table('practitioner'))
    migrator.migrate(migrator.drop_table('client'))
    migrator.migrate(migrator.drop_table('clinic'))


SQLITE_GUARDS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
POSTGRESQL_GUARDS = [
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]


def install_audit_guards(db):
    guards = POSTGRESQL_GUARDS if isinstance(db, PostgresqlDatabase) else SQLITE_GUARDS
    for statement in guards:
        db.execute_sql(statement)


def remove_audit_guards(db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        db.execute_sql("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
