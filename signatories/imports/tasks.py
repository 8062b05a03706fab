"""Background tasks of the imports queue.

services.py enqueues these tasks and they run its run_job: the one cycle between the pair, so
each task imports services when it runs.
"""

from django_tasks import task


@task(queue_name="imports")
def check_import(job_id):
    """Dry run of an uploaded file: the preview staff confirm from."""
    from .services import run_job

    run_job(job_id, dry_run=True)


@task(queue_name="imports")
def run_import(job_id):
    """The confirmed import, committed whole or not at all."""
    from .services import run_job

    run_job(job_id, dry_run=False)
