"""Adverse-reaction reports, with their suspect lots."""

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import clinic_to_edit, get_or_404, may_edit_clinic, scoped
from registry.clock import today
from registry.models import AdverseReaction, ReactionLot
from registry.reports import medwatch, render
from registry.schemas.clients import AdverseReactionSchema
from registry.schemas.common import QuerySchema, RecordId
from registry.schemas.medwatch import MedWatchSchema
from registry.services import reactions
from registry.services.reporting_clock import STATUSES, fda_clock

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


class ReportingClockSchema(Schema):
    due_on = fields.Date(metadata={
        "description": "The last day to report to FDA: 15 business days (weekdays that are "
                       "not US federal holidays) after aware_on."})
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "due (more than 5 business days left), due soon, due today, overdue, "
                       "reported (by the deadline) or reported late."})
    days_left = fields.Integer(metadata={
        "description": "Business days left to the deadline; 0 once it is reported or past."})
    days_over = fields.Integer(metadata={
        "description": "Business days past the deadline: to today while not reported, to the "
                       "report when it was late; otherwise 0."})


class ReportingClockField(fields.Nested):
    """The reaction's FDA reporting clock as of today, worked out as the reaction is written."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return fda_clock(obj, today())


class ReactionOutSchema(AdverseReactionSchema):
    serious = fields.Boolean(dump_only=True)
    status = fields.String(dump_only=True)
    lot_ids = fields.Method("_lot_ids", dump_only=True)
    reporting_clock = ReportingClockField(
        ReportingClockSchema, dump_only=True, allow_none=True,
        metadata={"description": "Where a serious reaction stands against its deadline for "
                                 "the report to FDA; null when it is not serious."})

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


@blp.route("/<int:reaction_id>/medwatch")
class ReactionMedWatch(MethodView):
    @blp.response(200, MedWatchSchema)
    def get(self, reaction_id):
        """The report laid out like FDA MedWatch Form 3500 (voluntary), sections A to G as on
        the form; boxes the registry does not record are null. Holds personal health data:
        sent with Cache-Control no-store."""
        reaction = get_or_404(AdverseReaction, reaction_id, require_reader())
        return medwatch.medwatch_form(reaction), {"Cache-Control": "no-store"}


@blp.route("/<int:reaction_id>/medwatch.pdf")
class ReactionMedWatchPdf(MethodView):
    @blp.doc(responses={"200": {
        "description": "The MedWatch 3500 layout as PDF/A-3, with the same data attached as "
                       "medwatch-3500.json.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, reaction_id):
        """The report laid out like FDA MedWatch Form 3500 (voluntary), as a PDF."""
        reaction = get_or_404(AdverseReaction, reaction_id, require_reader())
        try:
            return medwatch.pdf_download(reaction)
        except render.RenderError:
            medwatch.log_render_failure(reaction)
            abort(503, message="The PDF could not be made just now; try again later.")
