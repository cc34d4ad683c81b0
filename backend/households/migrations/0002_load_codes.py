"""Load the national code lists shipped in backend/households/data/codes.json."""

from django.db import migrations


def load(apps, schema_editor):
    from backend.households.codes import bundled

    Code = apps.get_model("households", "Code")
    for list_name, spec in bundled().items():
        for order, item in enumerate(spec["items"]):
            Code.objects.update_or_create(
                list=list_name, code=item["code"],
                defaults={"label": item["label"], "sort_order": order, "national_field": spec["national_field"]},
            )


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
