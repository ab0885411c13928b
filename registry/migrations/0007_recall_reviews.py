"""Possible recall matches waiting for a person, and each one's decision."""
from peewee import *


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"Meta": Meta})

    Recall, PigmentLot = stub('recall'), stub('pigment_lot')

    class RecallReview(Model):
        recall = ForeignKeyField(Recall, backref='reviews')
        lot = ForeignKeyField(PigmentLot, backref='recall_reviews')
        rule = CharField()
        span = TextField()
        reason = TextField()
        found_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'recall_review'
            indexes = ((('recall', 'lot'), True),)

    class ReviewDecision(Model):
        review = ForeignKeyField(RecallReview, unique=True, backref='decisions')
        decision = CharField()
        reason = TextField(null=True)
        decided_by = CharField()
        decided_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'review_decision'

    db.create_tables([RecallReview, ReviewDecision])


def down(migrator, db):
    for table in ('review_decision', 'recall_review'):
        migrator.migrate(migrator.drop_table(table))
