"""Chinese unless the person chose otherwise; nothing a signed-in person sees is kept in a cache."""

from django.utils.cache import add_never_cache_headers


class ChineseUnlessChosenMiddleware:
    """Ignore the browser's Accept-Language so that pages are in Chinese (LANGUAGE_CODE) by default.

    Office computers in a county often run an English browser; the language switch (a cookie set by
    Django's set_language view) is the only way to English. Must come before LocaleMiddleware. The API
    (/api/) keeps the header: a program that sends ``Accept-Language: en`` gets English messages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):  # a program calling the API asks for its language itself
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in person.

    Every page behind the sign-in shows personal data or data of the person's reach, and every export
    is a file of it: no browser, shared office computer or proxy may keep a copy. Deciding by "signed
    in" rather than page by page means a new page cannot forget it. Static files never get here
    (WhiteNoise answers them first), so they stay cacheable; the sign-in page is not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
