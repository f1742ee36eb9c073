from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def favicon(request):
    """/favicon.ico, asked for by browsers on pages without a <link rel=icon>
    (the API's JSON, a PDF): the static file. Resolved per request, not at
    import, so production's manifest storage needs collectstatic only to
    serve it, not to import the URL conf."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


def healthz(request):
    """Liveness and database reachability, for the compose healthcheck."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
