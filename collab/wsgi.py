import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings.production")
application = get_wsgi_application()
# Import every view now, while the worker boots, rather than in its first
# request (Django resolves the URLconf lazily): otherwise the first request a
# fresh worker takes waits a second or more for the imports.
get_resolver().url_patterns  # noqa: B018
