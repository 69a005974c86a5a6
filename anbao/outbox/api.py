"""The caller's notifications (API.md "Notifications and audit")."""
from flask.views import MethodView
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from anbao import api as rest
from anbao import scope
from anbao.outbox import service
from anbao.outbox.models import Notification
from anbao.outbox.schemas import (MarkedSchema, NotificationQueryArgsSchema,
                                  NotificationSchema)

blp = rest.blueprint("notifications", __name__,
                     "Notifications: reminders and notices sent to the caller, newest first")


@blp.route("/notifications")
class Notifications(MethodView):
    decorators = [login_required]

    @blp.arguments(NotificationQueryArgsSchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @rest.paginate(blp)
    def get(self, args):
        """The caller's notifications, newest first"""
        return service.notifications_query(current_user, args.get("unread", False)) \
            .options(selectinload(Notification.unit))


@blp.route("/notifications/<int:notification_id>/read")
class Read(MethodView):
    decorators = [login_required]

    @blp.response(200, NotificationSchema)
    @rest.write
    def post(self, notification_id):
        """Mark one notification read"""
        note = scope.get_or_404(Notification, notification_id, current_user)
        return service.mark_read(current_user, note)


@blp.route("/notifications/read")
class ReadAll(MethodView):
    decorators = [login_required]

    @blp.response(200, MarkedSchema)
    @rest.write
    def post(self):
        """Mark all the caller's notifications read"""
        return {"marked": service.mark_all_read(current_user)}
