"""Seal the RINs that stored reports hold in clear (docs/decisions/037), and the PDFs kept of them.

Safe to re-run: reports that already have a sealed part are left alone; a kept clear PDF of a report
with a sealed part is sealed and removed wherever it is still found. Signatures do not change: they
cover the content as issued, which reports.personal puts back from the sealed part.
"""

from django.db import migrations

BATCH = 500


def seal_reports(apps, schema_editor):
    from gongxin.core.crypto import unseal
    from gongxin.reports.personal import pdf_cache_path, pdf_cache_write, personal_seal
    from gongxin.subjects.identifiers import RIN_CONTEXT

    Report = apps.get_model("reports", "Report")
    Person = apps.get_model("subjects", "Person")
    pending = (Report.objects.filter(subject__kind="person", personal_sealed="")
               .order_by("pk").values_list("pk", "subject_id"))
    last = 0
    while True:
        rows = list(pending.filter(pk__gt=last)[:BATCH])
        if not rows:
            break
        last = rows[-1][0]
        people = {p.subject_id: p for p in Person.objects.filter(subject_id__in={s for _, s in rows})}
        for report in Report.objects.filter(pk__in=[pk for pk, _ in rows]).only("pk", "number", "content",
                                                                                 "subject_id"):
            person = people.get(report.subject_id)
            if person is None:
                continue
            clear = unseal(person.rin_sealed, context=RIN_CONTEXT)
            stored, sealed = personal_seal(content=report.content, number=report.number,
                                           replacements=[(clear, person.rin_masked)])
            if sealed:
                Report.objects.filter(pk=report.pk, personal_sealed="").update(content=stored,
                                                                               personal_sealed=sealed)
    for number in Report.objects.exclude(personal_sealed="").values_list("number", flat=True).iterator():
        clear_pdf = pdf_cache_path(number, sealed=False)
        try:
            data = clear_pdf.read_bytes()
        except OSError:
            continue
        pdf_cache_write(number, data, sealed=True)
        clear_pdf.unlink(missing_ok=True)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0003_personal_sealed"),
        ("subjects", "0004_search_indexes"),
    ]

    operations = [migrations.RunPython(seal_reports, migrations.RunPython.noop, elidable=True)]
