"""One UPDATE for many rows with different values, without Django's per-cell expression trees.

`bulk_update` builds a Case/When expression for every cell; for a chunk of deliveries that cost more CPU
than sending the messages. This writes the same SQL (a CASE on the primary key, cast where the database
needs it, as Django does) from plain parameters.
"""

from __future__ import annotations

from django.db import connections, router


def update_each(model, objs: list, fields: list[str], **same) -> int:
    """Set `fields` of each row from its object, and `same` on all of them, in one statement."""
    if not objs:
        return 0
    conn = connections[router.db_for_write(model)]
    qn, meta = conn.ops.quote_name, model._meta
    pk = qn(meta.pk.column)
    sets: list[str] = []
    params: list = []
    for name in fields:
        field = meta.get_field(name)
        case = f"CASE {pk} {' '.join(['WHEN %s THEN %s'] * len(objs))} END"
        if conn.features.requires_casted_case_in_updates:
            case = f"CAST({case} AS {field.cast_db_type(conn)})"
        sets.append(f"{qn(field.column)} = {case}")
        for obj in objs:
            params += [obj.pk, field.get_db_prep_save(getattr(obj, field.attname), conn)]
    for name, value in same.items():
        field = meta.get_field(name)
        sets.append(f"{qn(field.column)} = %s")
        params.append(field.get_db_prep_save(value, conn))
    params += [obj.pk for obj in objs]
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} "
           f"WHERE {pk} IN ({', '.join(['%s'] * len(objs))})")
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
