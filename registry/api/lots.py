"""Pigment lots held by clinics, and the steps of their life: receive, open, quarantine,
dispose."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import clinic_to_edit, get_or_404, may_edit_clinic, scoped
from registry.clock import today
from registry.models import PigmentLot
from registry.models.pigments import LOT_STATUSES
from registry.schemas.common import BaseSchema, QuerySchema, RecordId, choice, text
from registry.schemas.pigments import PigmentLotSchema
from registry.services import pigments

PREFIX = "/lots"
blp = Blueprint("lots", __name__, description="Pigment lots and their status.")
blp.before_request(readers_only)


class LotQuerySchema(QuerySchema):
    clinic_id = RecordId()
    product_id = RecordId()
    status = choice(LOT_STATUSES)
    lot_number = fields.String()


class LotStepSchema(BaseSchema):
    effective_on = fields.Date(metadata={"description": "Today when left out."})
    reason = text(max_length=2000, load_default=None)


class LotStepWithReasonSchema(LotStepSchema):
    reason = text(max_length=2000, required=True)


@blp.route("")
class Lots(MethodView):
    @blp.arguments(LotQuerySchema, location="query")
    @blp.response(200, PigmentLotSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Lots held by the clinics the caller may see."""
        query = scoped(PigmentLot, require_reader()).order_by(PigmentLot.id)
        for name in ("clinic_id", "product_id", "status", "lot_number"):
            if filters.get(name) is not None:
                query = query.where(getattr(PigmentLot, name) == filters[name])
        return page(query, pagination_parameters)

    @blp.arguments(PigmentLotSchema)
    @blp.response(201, PigmentLotSchema)
    def post(self, data):
        """Receive a lot at a clinic."""
        principal = require_reader()

        def receive():
            clinic_to_edit(principal, data["clinic_id"])
            return pigments.receive_lot(PigmentLotSchema().dump(data), principal.actor)

        return saved(receive)


@blp.route("/<int:lot_id>")
class LotById(MethodView):
    @blp.response(200, PigmentLotSchema)
    def get(self, lot_id):
        """One lot."""
        return get_or_404(PigmentLot, lot_id, require_reader())


def _step(status: str, lot_id: int, data: dict):
    principal = require_reader()
    lot = get_or_404(PigmentLot, lot_id, principal)
    if not may_edit_clinic(principal, lot.clinic_id):
        refuse()

    def change():
        pigments.change_lot_status(lot, {
            "status": status,
            "effective_on": (data.get("effective_on") or today()).isoformat(),
            "reason": data.get("reason"),
        }, principal.actor)
        return lot

    return saved(change)


@blp.route("/<int:lot_id>/open")
class OpenLot(MethodView):
    @blp.arguments(LotStepSchema)
    @blp.response(200, PigmentLotSchema)
    def post(self, data, lot_id):
        """Open a lot for use (from received, or back from quarantine)."""
        return _step("in_use", lot_id, data)


@blp.route("/<int:lot_id>/quarantine")
class QuarantineLot(MethodView):
    @blp.arguments(LotStepWithReasonSchema)
    @blp.response(200, PigmentLotSchema)
    def post(self, data, lot_id):
        """Set a lot aside: it may not be used until opened again; a reason is required."""
        return _step("quarantined", lot_id, data)


@blp.route("/<int:lot_id>/dispose")
class DisposeLot(MethodView):
    @blp.arguments(LotStepWithReasonSchema)
    @blp.response(200, PigmentLotSchema)
    def post(self, data, lot_id):
        """Dispose of a lot, for good; a reason is required."""
        return _step("disposed", lot_id, data)
