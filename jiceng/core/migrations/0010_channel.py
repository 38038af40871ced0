from django.db import migrations, models


class Migration(migrations.Migration):
    """`source` meant three things (a change's way in, a regulation, a file): the way in is now `channel`."""

    dependencies = [("core", "0009_job")]

    CHANNELS = [("web", "网页"), ("api", "接口"), ("cli", "命令行"), ("job", "后台任务"), ("system", "系统")]

    operations = [
        migrations.RenameField("changerecord", "source", "channel"),
        migrations.AlterField("changerecord", "channel",
                              models.CharField(choices=CHANNELS, max_length=10, verbose_name="渠道")),
        migrations.RenameField("exportrecord", "source", "channel"),
        migrations.AlterField("exportrecord", "channel",
                              models.CharField(choices=CHANNELS, max_length=10, verbose_name="渠道")),
    ]
