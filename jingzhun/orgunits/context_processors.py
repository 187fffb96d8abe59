from .access import access_for
from .permissions import may_import


def access(request):
    """`access` in every template, and the named checks its menu shows links by (for showing links, not
    enforcing: the views and services check again)."""
    access = access_for(getattr(request, "user", None))
    return {"access": access, "may_import": may_import(access)}
