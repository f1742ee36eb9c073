"""At sign-in, the person's stored choices become the session's."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from collab.middleware import LANGUAGE_SESSION_KEY, SESSION_KEY
from collab.tenancy import dangerously_unscoped

from .models import Membership
from .services import profile_of, profile_set_language


@receiver(user_logged_in, dispatch_uid="departments.stored_choices_at_sign_in")
def stored_choices_at_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    profile = profile_of(user)
    organization_id = profile.default_organization_id
    with dangerously_unscoped("the signed-in user's stored organization"):
        is_member = (
            bool(organization_id)
            and Membership.unscoped.filter(
                user=user, organization_id=organization_id, is_active=True
            ).exists()
        )
    if is_member:
        request.session[SESSION_KEY] = organization_id
    else:
        # No stored choice (or no longer a member there): the middleware
        # falls back to the first organization the user joined.
        request.session.pop(SESSION_KEY, None)
    language = profile.language
    if not language:
        # A language picked while signed out (the login page's switcher) is
        # the person's choice too: keep it from now on.
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in {code for code, _label in settings.LANGUAGES}:
            language = profile_set_language(user=user, language=cookie).language
    if language:
        request.session[LANGUAGE_SESSION_KEY] = language
