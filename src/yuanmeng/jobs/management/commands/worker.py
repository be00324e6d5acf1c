"""`yuanmeng worker`: the background worker (django-tasks' database worker) that runs imports, exports and
payment files. Run one or more beside the web server; its options are db_worker's. It first deletes the files
of tasks that ended more than YUANMENG_TASK_FILES_KEEP_DAYS ago and the day-old verification codes (`yuanmeng tasks
prune`)."""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from yuanmeng.accounts.codes import codes_prune
from yuanmeng.jobs.services import jobs_prune


class Command(DatabaseWorker):
    help = "Run background tasks (imports, exports, payment files): the django-tasks database worker."

    def handle(self, *args, **options):
        jobs_prune(older_than_days=settings.TASK_FILES_KEEP_DAYS)
        codes_prune()
        return super().handle(*args, **options)
