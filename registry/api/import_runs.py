"""Import runs and the rows each one rejected, with the reason (read only)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.api.access import import_readers_only, require_import_reader
from registry.api.results import page
from registry.auth.tenancy import get_or_404, scoped
from registry.models import ImportRun, RejectedRow
from registry.models.imports import RUN_STATUSES
from registry.schemas.common import QuerySchema, UtcDateTime, choice

PREFIX = "/import-runs"
blp = Blueprint("import_runs", __name__, description="Runs of the recall and roster importers.")
blp.before_request(import_readers_only)


class ImportRunQuerySchema(QuerySchema):
    source = fields.String()
    status = choice(RUN_STATUSES)


class ImportRunSchema(Schema):
    id = fields.Integer()
    source = fields.String()
    started_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    status = fields.String()
    fetched = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    message = fields.String(allow_none=True)
    triggered_by = fields.String()


class RejectedRowSchema(Schema):
    id = fields.Integer()
    row_number = fields.Integer()
    reason = fields.String()
    raw = fields.Raw(allow_none=True)


@blp.route("")
class ImportRuns(MethodView):
    @blp.arguments(ImportRunQuerySchema, location="query")
    @blp.response(200, ImportRunSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Import runs, newest first."""
        query = scoped(ImportRun, require_import_reader()).order_by(ImportRun.id.desc())
        for name in ("source", "status"):
            if filters.get(name):
                query = query.where(getattr(ImportRun, name) == filters[name])
        return page(query, pagination_parameters)


@blp.route("/<int:run_id>")
class ImportRunById(MethodView):
    @blp.response(200, ImportRunSchema)
    def get(self, run_id):
        """One import run."""
        return get_or_404(ImportRun, run_id, require_import_reader())


@blp.route("/<int:run_id>/rejected-rows")
class RejectedRows(MethodView):
    @blp.response(200, RejectedRowSchema(many=True))
    @blp.paginate()
    def get(self, run_id, pagination_parameters):
        """The rows a run rejected, each with its reason and the row as received."""
        run = get_or_404(ImportRun, run_id, require_import_reader())
        query = RejectedRow.select().where(RejectedRow.run == run).order_by(RejectedRow.row_number)
        return page(query, pagination_parameters)
