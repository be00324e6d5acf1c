"""`yuanmeng worker`: the background worker (django-tasks' database worker) that runs imports, exports and
payment files. Run one or more beside the web server; its options are db_worker's."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = "Run background tasks (imports, exports, payment files): the django-tasks database worker."
