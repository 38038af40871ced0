"""The site-wide search (the navbar's box): people by name, pinyin initials, phone or exact ID number and
organizations by name or code — whatever the apps register (`registry.register_search`), each source
reading through the user's scope, so a record outside it is simply absent. A page and a JSON endpoint."""
from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import render
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import registry
from .views import ScopedView

MAX_QUERY = 50
PER_SOURCE = 20


def query_of(request) -> str:
    params = getattr(request, "query_params", request.GET)
    return " ".join((params.get("q") or "").split())[:MAX_QUERY]


def search(user, q: str, limit: int = PER_SOURCE) -> list[tuple[registry.SearchSource, list[registry.SearchHit]]]:
    """(source, hits) for every registered source, in order; nothing for an empty query."""
    if not q:
        return []
    return [(source, list(source.find(user, q, limit))[:limit]) for source in registry.search_source_list()]


class SearchView(ScopedView):
    def get(self, request):
        q = query_of(request)
        results = search(request.user, q)
        return render(request, "core/search.html", {
            "q": q, "results": results, "found": sum(len(hits) for _source, hits in results)})


class SearchAPIView(APIView):
    """搜索 / search: people and organizations matching `q`, in the caller's scope only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="姓名、拼音首字母、手机号、身份证号、组织名称或代码")],
        responses={200: inline_serializer("SearchResults", {
            "q": serializers.CharField(),
            "results": inline_serializer("SearchGroup", {
                "source": serializers.CharField(), "label": serializers.CharField(),
                "hits": inline_serializer("SearchHit", {
                    "title": serializers.CharField(), "detail": serializers.CharField(), "url": serializers.CharField(),
                }, many=True)}, many=True)})})
    def get(self, request):
        q = query_of(request)
        return Response({"q": q, "results": [
            {"source": source.name, "label": str(source.label), "hits": [asdict(h) for h in hits]}
            for source, hits in search(request.user, q)]})
