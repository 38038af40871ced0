# Its own module: DRF imports the pagination class while it builds its viewsets.
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """Limit/offset with bounds: a page of at most 1000, an offset the database can hold."""

    max_limit = 1000
    max_offset = 2**31

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
