"""Load the visit item list (backend/fieldwork/data/visit_items.json) into households.Code."""

from django.db import migrations


def load(apps, schema_editor):
    from backend.fieldwork.codes import bundled_items

    Code = apps.get_model("households", "Code")
    for order, item in enumerate(bundled_items()):
        Code.objects.update_or_create(list="visit_item", code=item["code"],
                                      defaults={"label": item["label"], "sort_order": order})


def unload(apps, schema_editor):
    apps.get_model("households", "Code").objects.filter(list="visit_item").delete()


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial"), ("households", "0002_load_codes")]
    operations = [migrations.RunPython(load, unload)]
