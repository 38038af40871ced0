# Its own module: DRF imports the pagination class while it builds its viewsets.
from rest_framework.pagination import LimitOffsetPagination

from .params import ID_MAX, int_param


class Pagination(LimitOffsetPagination):
    """Limit/offset with bounds: a page of at most 1000, an offset the database can hold. A limit or
    offset that is not a whole number (`?offset=abc`, `?limit=-1`) is a 400 naming it, as the schema says."""

    max_limit = 1000
    max_offset = 2**31

    def get_limit(self, request):
        limit = int_param(request, self.limit_query_param, minimum=1, maximum=ID_MAX)
        return min(limit, self.max_limit) if limit is not None else self.default_limit

    def get_offset(self, request):
        return min(int_param(request, self.offset_query_param, default=0, maximum=ID_MAX), self.max_offset)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1 if parameter["name"] == self.limit_query_param else 0
        return parameters
