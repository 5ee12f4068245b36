"""KPI values' period labels in the one form of saferplan.core.periods: '2025-26 Q1' for a quarter
(was 'Q1 2025/26') and '2025-26' for a financial year (was '2025/26'). Monthly labels are
unchanged. The history keeps the labels as they were written."""
import re

from django.db import migrations

QUARTER = re.compile(r"^Q([1-4]) (\d{4})/(\d{2})$")
YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def relabel(apps, schema_editor):
    KPIValue = apps.get_model("planning", "KPIValue")
    for value in KPIValue.objects.filter(period_label__contains="/").only("pk", "period_label"):
        if match := QUARTER.match(value.period_label):
            label = f"{match[2]}-{match[3]} Q{match[1]}"
        elif match := YEAR.match(value.period_label):
            label = f"{match[1]}-{match[2]}"
        else:
            continue
        KPIValue.objects.filter(pk=value.pk).update(period_label=label)


class Migration(migrations.Migration):
    dependencies = [("planning", "0002_plan_states_revisions_kpi_units_eia_signoff")]
    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
