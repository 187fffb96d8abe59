from .menu import menu_for


def menu(request):
    """`menu` in every page: the groups and links of the left-hand menu this user may open."""
    return {"menu": menu_for(request)}
