"""The signed-in user's own reminders (expiry, reports to FDA): list the open ones, dismiss one."""

from flask.views import MethodView
from flask_smorest import Blueprint

from registry.api.access import refuse, require_signed_in
from registry.api.results import page
from registry.auth.principal import Principal
from registry.auth.tenancy import get_or_404, scoped
from registry.models import Reminder
from registry.schemas.reminders import ReminderQuerySchema, ReminderSchema
from registry.services import reminders

PREFIX = "/reminders"
blp = Blueprint("reminders", __name__,
                description="The caller's own reminders of credentials and lots expiring "
                            "and of reports to FDA coming due.")


def _owner(scope: str) -> Principal:
    """Any signed-in user has their own reminders; tokens need the scope."""
    principal = require_signed_in()
    if not principal.may_use_token_scope(scope):
        refuse(f"This token may not {'read' if scope == 'read' else 'change'} reminders.")
    return principal


@blp.route("")
class Reminders(MethodView):
    @blp.arguments(ReminderQuerySchema, location="query")
    @blp.response(200, ReminderSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """The caller's open (not dismissed) reminders, the earliest due date first."""
        query = scoped(Reminder, _owner("read")).where(Reminder.dismissed_at.is_null()) \
            .order_by(Reminder.due_on, Reminder.id)
        for name in ("kind", "clinic_id"):
            if filters.get(name) is not None:
                query = query.where(getattr(Reminder, name) == filters[name])
        return page(query, pagination_parameters)


@blp.route("/<int:reminder_id>/dismiss")
class DismissReminder(MethodView):
    @blp.response(200, ReminderSchema)
    @blp.alt_response(404, description="No such reminder of the caller's.")
    def post(self, reminder_id):
        """Dismiss one of the caller's reminders: it leaves the list and is not emailed."""
        principal = _owner("write")
        return reminders.dismiss(get_or_404(Reminder, reminder_id, principal))
