"""The authentication backend: Django's, reading each request's signed-in user together with
the ceiling of their vetting, so that the access policy's filters need no query of their own
for it (`marking_ceiling`), and with the number of their unread notifications, so that the
header's count needs none either."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Subquery

from nim_portal.models import Notification, User
from nim_portal.models.notifications import UNREAD_NOTIFICATIONS
from nim_portal.models.people import VETTING_TABLE_CEILING


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        users = User._default_manager.annotate(
            **{
                VETTING_TABLE_CEILING: Subquery(User.vetting_table_ceiling()),
                UNREAD_NOTIFICATIONS: Notification.unread_count(),
            }
        )
        try:
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
