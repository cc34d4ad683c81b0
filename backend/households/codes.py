"""Reading the national code lists (held as data in `Code`)."""

from __future__ import annotations

import functools
import json
from importlib import resources


@functools.cache
def bundled() -> dict[str, dict]:
    """The lists shipped with the code, loaded into the table by a data migration."""
    return json.loads(resources.files("backend.households").joinpath("data/codes.json").read_text("utf-8"))


def labels(list_name: str) -> dict[str, str]:
    from .models import Code

    rows = Code.objects.filter(list=list_name).values_list("code", "label")
    return dict(rows) or {i["code"]: i["label"] for i in bundled()[list_name]["items"]}


def label(list_name: str, code: str) -> str:
    return labels(list_name).get(code, code)
