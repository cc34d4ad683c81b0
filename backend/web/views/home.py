"""The home page: what is due for the person signed in."""

from __future__ import annotations

from django.shortcuts import render

from .. import due
from ..access import page


@page()
def home(request):
    actor = request.actor
    return render(request, "web/home.html", {"sections": due.sections(actor), "today": due.today(actor)})
