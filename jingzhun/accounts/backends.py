"""django-axes' throttle, letting through sign-ins without a request (only the test client makes those)."""

from axes.backends import AxesStandaloneBackend


class ThrottledSignInBackend(AxesStandaloneBackend):
    """For the test settings: every sign-in through a view (which always passes the request) is throttled."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
