# Joins the staff side (example responses, import rows, redactions) and the public side (tokens, spoilt answers, event times).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consultation', '0003_example_responses_import_rows_redactions'),
        ('consultation', '0005_engagement_event_times'),
    ]

    operations = [
    ]
