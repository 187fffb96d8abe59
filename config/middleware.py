"""Chinese unless the person chose otherwise."""


class ChineseUnlessChosenMiddleware:
    """Ignore the browser's Accept-Language so that pages are in Chinese (LANGUAGE_CODE) by default.

    Office computers in a county often run an English browser; the language switch (a cookie set by
    Django's set_language view) is the only way to English. Must come before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
