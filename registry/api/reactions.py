"""Adverse-reaction reports, with their suspect lots."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import clinic_to_edit, get_or_404, may_edit_clinic, scoped
from registry.models import AdverseReaction, ReactionLot
from registry.schemas.clients import AdverseReactionSchema
from registry.schemas.common import QuerySchema, RecordId
from registry.services import reactions

PREFIX = "/adverse-reactions"
blp = Blueprint("reactions", __name__, description="Adverse-reaction reports.")
blp.before_request(readers_only)


class ReactionQuerySchema(QuerySchema):
    clinic_id = RecordId()
    client_id = RecordId()
    lot_id = RecordId(metadata={"description": "Reports naming this lot as a suspect."})
    serious = fields.Boolean()
    event_from = fields.Date()
    event_to = fields.Date()


class ReactionOutSchema(AdverseReactionSchema):
    serious = fields.Boolean(dump_only=True)
    status = fields.String(dump_only=True)
    lot_ids = fields.Method("_lot_ids", dump_only=True)

    def _lot_ids(self, reaction):
        return [suspect.lot_id for suspect in reaction.suspect_lots]


class ReactionUpdateSchema(AdverseReactionSchema):
    class Meta:
        exclude = ("lot_ids",)
        dump_only = ("clinic_id", "client_id", "procedure_id")

    reason = fields.String(required=True, load_only=True)


@blp.route("")
class Reactions(MethodView):
    @blp.arguments(ReactionQuerySchema, location="query")
    @blp.response(200, ReactionOutSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Reports from the clinics the caller may see, newest event first."""
        query = scoped(AdverseReaction, require_reader()).order_by(
            AdverseReaction.event_on.desc(), AdverseReaction.id.desc())
        for name in ("clinic_id", "client_id"):
            if filters.get(name):
                query = query.where(getattr(AdverseReaction, name) == filters[name])
        if filters.get("serious") is not None:
            query = query.where(AdverseReaction.serious == filters["serious"])
        if filters.get("lot_id"):
            query = query.where(AdverseReaction.id.in_(
                ReactionLot.select(ReactionLot.reaction)
                .where(ReactionLot.lot == filters["lot_id"])))
        if filters.get("event_from"):
            query = query.where(AdverseReaction.event_on >= filters["event_from"])
        if filters.get("event_to"):
            query = query.where(AdverseReaction.event_on <= filters["event_to"])
        return page(query, pagination_parameters)

    @blp.arguments(AdverseReactionSchema)
    @blp.response(201, ReactionOutSchema)
    def post(self, data):
        """Report an adverse reaction; seriousness follows MoCRA's definition."""
        principal = require_reader()

        def report():
            clinic_to_edit(principal, data["clinic_id"])
            return reactions.report_reaction(AdverseReactionSchema().dump(data), principal.actor)

        return saved(report)


@blp.route("/<int:reaction_id>")
class ReactionById(MethodView):
    @blp.response(200, ReactionOutSchema)
    def get(self, reaction_id):
        """One report."""
        return get_or_404(AdverseReaction, reaction_id, require_reader())

    @blp.arguments(ReactionUpdateSchema(partial=True))
    @blp.response(200, ReactionOutSchema)
    def patch(self, data, reaction_id):
        """Update a report (outcomes, when it was reported and where); a reason is required."""
        principal = require_reader()
        reaction = get_or_404(AdverseReaction, reaction_id, principal)
        if not may_edit_clinic(principal, reaction.clinic_id):
            refuse()
        reason = data.pop("reason", None)

        def update():
            reactions.update_reaction(reaction, AdverseReactionSchema().dump(data),
                                      principal.actor, reason=reason)
            return reaction

        return saved(update)
