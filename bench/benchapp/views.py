from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from campaigns.models import Campaign

from .models import BaselineRow


@csrf_exempt
@require_POST
def baseline(request):
    """The baseline: a minimal Django view inserting one row and answering 303, like signing."""
    BaselineRow.objects.create(email=request.POST.get("email", "")[:254])
    response = HttpResponse(status=303)
    response["Location"] = "/done/"
    return response


def letter(request, slug):
    """Stand-in for the letter page: the signing panel and the counter, as the letter renders them."""
    campaign = get_object_or_404(Campaign, slug=slug)
    return render(request, "bench/letter.html", {"campaign": campaign})
