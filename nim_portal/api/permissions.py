from django.http import Http404
from rest_framework.permissions import BasePermission


class IsPoliceUser(BasePermission):
    """The police API answers signed-in police users only; partner users get 404 (not 403), so that
    the police API's shape is not disclosed to them."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_partner:
            raise Http404
        return True
