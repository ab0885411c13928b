"""Pigment lots held by clinics, the steps of their life (receive, open, dispose), and the
holds that set them aside until a reasoned release."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import (
    clinic_to_edit,
    get_or_404,
    may_decide_on_lots,
    may_edit_clinic,
    scoped,
)
from registry.clock import today
from registry.models import PigmentLot
from registry.models.pigments import LOT_STATUSES
from registry.schemas.common import BaseSchema, QuerySchema, RecordId, UtcDateTime, choice, text
from registry.schemas.holds import QuarantineSchema, ReleaseSchema
from registry.schemas.pigments import PigmentLotSchema
from registry.services import holds, pigments

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


class ReleaseOutSchema(BaseSchema):
    released_on = fields.Date()
    grounds = fields.String()
    evidence = fields.String()
    reason = fields.String()
    recorded_at = UtcDateTime()
    released_by = fields.String()


class HoldSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "recall or quarantine"})
    recall_id = fields.Integer(allow_none=True)
    recall_number = fields.String(allow_none=True)
    starts_on = fields.Date()
    reason = fields.String()
    placed_at = UtcDateTime()
    placed_by = fields.String()
    standing = fields.Boolean()
    release = fields.Nested(ReleaseOutSchema, allow_none=True)


def _lot_to_edit(lot_id: int):
    principal = require_reader()
    lot = get_or_404(PigmentLot, lot_id, principal)
    if not may_edit_clinic(principal, lot.clinic_id):
        refuse()
    return principal, lot


def _step(status: str, lot_id: int, data: dict):
    principal, lot = _lot_to_edit(lot_id)

    def change():
        pigments.change_lot_status(lot, {
            "status": status,
            "effective_on": (data.get("effective_on") or today()).isoformat(),
            "reason": data.get("reason"),
        }, principal.actor)
        return lot

    return saved(change)


def _holds(lot: PigmentLot) -> list[dict]:
    return [{**{name: getattr(hold, name) for name in (
        "id", "kind", "recall_id", "recall_number", "starts_on", "reason", "placed_at",
        "placed_by")}, "standing": release is None, "release": release}
        for hold, release in holds.history(lot)]


@blp.route("/<int:lot_id>/open")
class OpenLot(MethodView):
    @blp.arguments(LotStepSchema)
    @blp.response(200, PigmentLotSchema)
    def post(self, data, lot_id):
        """Open a lot for use; refused while a hold (a recall, a quarantine) stands."""
        return _step("in_use", lot_id, data)


@blp.route("/<int:lot_id>/quarantine")
class QuarantineLot(MethodView):
    @blp.arguments(QuarantineSchema)
    @blp.response(200, PigmentLotSchema)
    def post(self, data, lot_id):
        """Hold a lot by hand: it may not be used until the clinic's officer releases the
        hold; a reason is required."""
        principal, lot = _lot_to_edit(lot_id)

        def hold():
            holds.quarantine(lot, QuarantineSchema().dump(data), principal.actor)
            return PigmentLot.get_by_id(lot.id)

        return saved(hold)


@blp.route("/<int:lot_id>/holds")
class LotHolds(MethodView):
    @blp.response(200, HoldSchema(many=True))
    def get(self, lot_id):
        """The lot's holds (recalls and quarantines), standing or released, oldest first."""
        return _holds(get_or_404(PigmentLot, lot_id, require_reader()))


@blp.route("/<int:lot_id>/holds/<int:hold_id>/release")
class ReleaseHold(MethodView):
    @blp.arguments(ReleaseSchema)
    @blp.response(200, HoldSchema)
    def post(self, data, lot_id, hold_id):
        """Lift one hold: only the clinic's officers, on stated grounds, with evidence and a
        reason. The lot's other holds still stand."""
        principal = require_reader()
        lot = get_or_404(PigmentLot, lot_id, principal)
        if not may_decide_on_lots(principal, lot.clinic_id):
            refuse()

        def release():
            holds.release(lot, hold_id, data, principal.actor)
            return next(h for h in _holds(lot) if h["id"] == hold_id)

        return saved(release)


@blp.route("/<int:lot_id>/dispose")
class DisposeLot(MethodView):
    @blp.arguments(LotStepWithReasonSchema)
    @blp.response(200, PigmentLotSchema)
    def post(self, data, lot_id):
        """Dispose of a lot, for good; a reason is required."""
        return _step("disposed", lot_id, data)
