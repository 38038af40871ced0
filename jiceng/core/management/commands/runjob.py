from django.core.management.base import BaseCommand

from jiceng.core import jobs
from jiceng.core.models import ImportJob


class Command(BaseCommand):
    help = "运行一个后台导入任务（由网页启动）/ run one background import job (started by the web app)"

    def add_arguments(self, parser):
        parser.add_argument("job_id", type=int)

    def handle(self, job_id, **options):
        jobs.run(ImportJob.objects.select_related("user").get(pk=job_id))
