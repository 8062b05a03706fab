from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BaselineRow


@csrf_exempt
@require_POST
def baseline(request):
    """The baseline: a minimal Django view inserting one row and answering 303, like signing."""
    BaselineRow.objects.create(email=request.POST.get("email", "")[:254])
    response = HttpResponse(status=303)
    response["Location"] = "/done/"
    return response
