from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def healthz(request):
    """Liveness and database reachability, for the compose healthcheck."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
