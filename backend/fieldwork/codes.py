"""The visit item list (what a visit did), shipped as data and loaded into the shared code table."""

from __future__ import annotations

import functools
import json
from importlib import resources

from backend.households.models import Code

from .models import VISIT_ITEM_LIST


@functools.cache
def bundled_items() -> list[dict]:
    text = resources.files("backend.fieldwork").joinpath("data/visit_items.json").read_text("utf-8")
    return json.loads(text)["items"]


def item_labels() -> dict[str, str]:
    """Code → label, from the table (editable per year); the shipped list if the table has none."""
    rows = dict(Code.objects.filter(list=VISIT_ITEM_LIST).values_list("code", "label"))
    return rows or {i["code"]: i["label"] for i in bundled_items()}
