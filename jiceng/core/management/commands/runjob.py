from django.core.management.base import BaseCommand

from jiceng.core import jobs
from jiceng.core.models import Job


class Command(BaseCommand):
    help = "运行一个后台任务（由任务队列启动）/ run one background job (started by the job queue)"

    def add_arguments(self, parser):
        parser.add_argument("job_id", type=int)

    def handle(self, job_id, **options):
        jobs.run(Job.objects.select_related("user").get(pk=job_id))
