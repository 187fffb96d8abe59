"""The to-do page (待办): what waits for the signed-in user, kind by kind (desk.todo builds it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import todo as board


@login_required
@require_GET
def todo(request):
    """Every kind's count and first items; with ?kind=<code>, all of that kind, page by page."""
    kind = request.GET.get("kind", "")
    if kind not in {k.code for k in board.KINDS}:
        kind = ""
    sections = board.board(request.user, kind=kind, page=request.GET.get("page"))
    return render(request, "desk/todo.html", {
        # every kind that applies is counted on top; below, the kinds with something waiting
        "sections": sections, "shown": [s for s in sections if s.count and (not kind or s.kind.code == kind)],
        "kind": kind, "total": sum(s.count for s in sections), "overdue": sum(s.overdue for s in sections),
    })
