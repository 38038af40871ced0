from django.db import migrations


def refill(apps, schema_editor):
    """Each member's last month paid again, by the rule that a month is paid when its owed payments sum to more than
    0 (a payment taken back leaves its month unpaid): the rows 0004 filled counted any payment on file."""
    if not apps.get_model("dues", "Payment").objects.exists():
        return
    from jiceng.standing.rollups import LastPaidRollup

    LastPaidRollup().rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('standing', '0004_last_paid'),
    ]

    operations = [
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
