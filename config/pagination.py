from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """``{"next", "previous", "results"}``; views set ``ordering`` to a stable, unique key."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
