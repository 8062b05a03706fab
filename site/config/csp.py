"""Content Security Policy header. The public site runs no inline script; the Wagtail admin, which
does, gets its own policy."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefixes = ("/admin/", "/django-admin/")

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefixes)
            policy = settings.CSP_ADMIN_POLICY if admin else settings.CSP_POLICY
            if policy:
                response["Content-Security-Policy"] = policy
        return response
