"""State diagrams (Mermaid) of every machine, read from the models' FSM fields, so docs cannot drift."""

from __future__ import annotations

from django.apps import apps
from django_fsm import FSMFieldMixin

HEADER = """# State diagrams

Generated from the models' FSM fields by `bangfu fsm_diagrams`; do not edit by hand
(`tests/workflows/test_diagrams.py` fails when this file is stale). Each arrow is a transition with the name
of its API action (`POST /api/v1/{resource}/{id}/{action}/`) and its Chinese label.
"""


def machines() -> list[tuple[type, FSMFieldMixin]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin):
                found.append((model, field))
    return sorted(found, key=lambda mf: (mf[0]._meta.app_label, mf[0].__name__, mf[1].name))


def api_name(transition) -> str:
    return transition.custom.get("api", transition.name.replace("_", "-"))


def mermaid(model: type, field: FSMFieldMixin) -> str:
    states = [value for value, _ in field.choices]
    labels = dict(field.choices)
    edges = set()
    for t in field.get_all_transitions(model):
        for source in (states if t.source in ("*", "+") else [t.source]):
            if not (t.source == "+" and source == t.target):
                edges.add((states.index(source), states.index(t.target), api_name(t), t.custom.get("label", t.name)))
    # States no transition reaches (choices shared with another machine) are left out.
    used = {states.index(field.default)} | {s for s, _, _, _ in edges} | {t for _, t, _, _ in edges}
    outgoing = {s for s, _, _, _ in edges}
    lines = ["stateDiagram-v2"]
    lines += [f"    {states[i]}: {labels[states[i]]}（{states[i]}）" for i in sorted(used)]
    lines.append(f"    [*] --> {field.default}")
    lines += [f"    {states[s]} --> {states[t]}: {name}（{label}）" for s, t, name, label in sorted(edges)]
    lines += [f"    {states[i]} --> [*]" for i in sorted(used - outgoing)]
    return "\n".join(lines)


def document() -> str:
    parts = [HEADER]
    for model, field in machines():
        meta = model._meta
        parts.append(f"## {meta.verbose_name}（`{meta.app_label}.{model.__name__}.{field.name}`）\n")
        parts.append(f"```mermaid\n{mermaid(model, field)}\n```\n")
    return "\n".join(parts)
