"""Background tasks of deliveries: render the dossier, send each email."""

from django_tasks import task


@task()
def generate_dossier_task(delivery_id):
    from .models import Delivery
    from .services import generate_dossier

    delivery = Delivery.objects.filter(pk=delivery_id).select_related("campaign").first()
    if delivery is not None:
        generate_dossier(delivery)


@task(queue_name="emails")
def send_delivery_email(send_id):
    from .services import deliver_email

    deliver_email(send_id)
