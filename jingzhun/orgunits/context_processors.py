from .access import access_for


def access(request):
    """`access` in every template: what the signed-in person may do (for showing links, not enforcing)."""
    return {"access": access_for(getattr(request, "user", None))}
