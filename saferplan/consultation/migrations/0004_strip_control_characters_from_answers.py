"""Answers stored before control characters were removed on input: remove them now, so no
export (XLSX and DOCX cannot hold them) fails on a response that is already in the database.

The pattern is copied, not imported, so that this migration means the same thing whatever
later becomes of saferplan.forms."""
import re

from django.db import migrations

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LAYOUT_CHARACTERS = re.compile("[\t\r\n]+")


def strip_control_characters(apps, schema_editor):
    Answer = apps.get_model("consultation", "Answer")
    Response = apps.get_model("consultation", "Response")
    for model, field, multiline in ((Answer, "text", True), (Response, "contact_name", False)):
        changed = []
        for pk, value in model.objects.exclude(**{field: ""}).values_list("pk", field).iterator(chunk_size=5000):
            clean = CONTROL_CHARACTERS.sub("", value)
            clean = clean if multiline else LAYOUT_CHARACTERS.sub(" ", clean)
            if clean != value:
                changed.append(model(pk=pk, **{field: clean}))
        model.objects.bulk_update(changed, [field], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("consultation", "0003_response_submission_token_and_spoilt_answers")]

    operations = [migrations.RunPython(strip_control_characters, migrations.RunPython.noop)]
