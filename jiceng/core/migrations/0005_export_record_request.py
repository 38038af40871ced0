from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_import_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportrecord',
            name='request_id',
            field=models.UUIDField(blank=True, db_index=True, null=True, verbose_name='请求编号'),
        ),
        migrations.AlterField(
            model_name='exportrecord',
            name='filters',
            field=models.JSONField(default=dict, verbose_name='筛选条件或对象'),
        ),
        migrations.AlterField(
            model_name='exportrecord',
            name='kind',
            field=models.CharField(choices=[('members', '成员名单'), ('orgs', '组织名单'), ('dossier', '发展档案'), ('member', '查看完整身份证号'), ('attachment', '下载发展材料附件')], max_length=20, verbose_name='内容'),
        ),
    ]
