import uuid

from .context import acting


class ChangeContextMiddleware:
    """Every write made while serving a request is logged with its user and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request_id = uuid.UUID(request.headers.get("X-Request-ID", ""))
        except ValueError:
            request_id = uuid.uuid4()
        request.request_id = request_id
        source = "api" if request.path.startswith("/api/") else "web"
        with acting(user=request, source=source, request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request_id)
        return response
