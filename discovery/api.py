"""``GET /api/v1/search/?q=``: the site search, for everyone (scoped to what the caller may see).

Without ``kind`` the answer groups the first results of every kind that matched:
``{"query", "kinds": [{"kind", "label", "count", "results": [...], "next": url | null}]}``.
With ``kind`` it pages through that kind: ``{"query", "kind", "count", "next", "previous",
"results"}``. Each result is ``{"kind", "title", "url", "snippet", "meta"}``."""

from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config import search


class ResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()
    snippet = serializers.CharField()
    meta = serializers.CharField()


class KindGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    results = ResultSerializer(many=True)
    next = serializers.URLField(allow_null=True)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=search.MAX_QUERY_LENGTH, trim_whitespace=True)
    kind = serializers.CharField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=10_000, default=1)

    def validate_kind(self, value):
        if search.get_kind(value) is None:
            names = ", ".join(k.name for k in search.kinds())
            raise serializers.ValidationError(
                _("Unknown kind %(kind)s; one of: %(names)s.")
                % {"kind": repr(value), "names": names}
            )
        return value


def _result(request, r: search.Result) -> dict:
    return {
        "kind": r.kind,
        "title": r.title,
        "url": request.build_absolute_uri(r.url),
        "snippet": r.snippet,
        "meta": r.meta,
    }


class Search(APIView):
    permission_classes = [AllowAny]

    def _url(self, request, **params) -> str:
        return request.build_absolute_uri(request.path) + "?" + urlencode(params)

    @extend_schema(
        operation_id="search",
        summary="Search working groups, proposals, comments, surveys, standards, datasets and "
        "people",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="The words."),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                description="One kind only, paginated: groups, proposals, comments, surveys, "
                "standards, datasets, people.",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="With `kind`: the page."),
        ],
        responses={
            200: inline_serializer(
                "SearchResults",
                {
                    "query": serializers.CharField(),
                    "kinds": KindGroupSerializer(many=True, required=False),
                    "kind": serializers.CharField(required=False),
                    "count": serializers.IntegerField(required=False),
                    "next": serializers.URLField(allow_null=True, required=False),
                    "previous": serializers.URLField(allow_null=True, required=False),
                    "results": ResultSerializer(many=True, required=False),
                },
            )
        },
    )
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        if not params.is_valid():
            raise exceptions.ValidationError(params.errors)
        query = search.clean_query(params.validated_data["q"])
        if not query:
            raise exceptions.ValidationError({"q": [_("Give some words to search for.")]})
        name = params.validated_data.get("kind")
        if name:
            page = params.validated_data["page"]
            kind = search.get_kind(name)
            found = search.search_kind(query, request.user, kind, page=page)
            return Response(
                {
                    "query": query,
                    "kind": name,
                    "count": found.paginator.count,
                    "next": self._url(request, q=query, kind=name, page=found.number + 1)
                    if found.has_next()
                    else None,
                    "previous": self._url(request, q=query, kind=name, page=found.number - 1)
                    if found.has_previous()
                    else None,
                    "results": [_result(request, r) for r in found.object_list],
                }
            )
        groups = search.search_grouped(query, request.user)
        return Response(
            {
                "query": query,
                "kinds": [
                    {
                        "kind": g.kind.name,
                        "label": str(g.kind.label),
                        "count": g.count,
                        "results": [_result(request, r) for r in g.results],
                        "next": self._url(request, q=query, kind=g.kind.name)
                        if g.count > len(g.results)
                        else None,
                    }
                    for g in groups
                ],
            }
        )
