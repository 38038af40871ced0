"""Import and export through the API: the same jobs, scoping and logs as the web wizard."""
import io

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import export_jobs, import_jobs, jobs, profiles, registry
from .api import HasWriteGrant
from .exports import LAYOUTS, export
from .import_views import MAX_UPLOAD, export_choice
from .roster import DOCX
from .models import Job


class ImportSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True, help_text="xlsx 或 csv / an .xlsx or .csv file")
    progress = serializers.SerializerMethodField()
    sheet = serializers.ChoiceField(choices=[])  # the registered sheets, in get_fields
    profile = serializers.ChoiceField(choices=[""] + list(profiles.registry()), required=False, allow_blank=True)

    class Meta:
        model = Job
        fields = ["id", "sheet", "profile", "file", "filename", "phase", "status", "created", "finished", "result",
                  "progress"]
        read_only_fields = ["filename", "phase", "status", "created", "finished", "result"]

    def get_fields(self):
        fields = super().get_fields()
        fields["sheet"].choices = [k.key for k in registry.sheet_list()]
        return fields

    def get_progress(self, job) -> dict:
        """phase (wait / check / write / commit), rows done, total, rate, seconds left; for a queued job
        `ahead`: the queued jobs that start before it; `cancelling` once a cancel was asked for."""
        return {**jobs.progress(job), **({"ahead": jobs.position(job)} if job.status == "queued" else {}),
                **({"cancelling": True} if jobs.cancelling(job) else {})}

    def validate_file(self, f):
        if f.size > MAX_UPLOAD:
            raise serializers.ValidationError("文件超过 200 MB / file over 200 MB")
        return f

    def create(self, data):
        return import_jobs.create(self.context["request"].user, data["sheet"], data["file"], data.get("profile", ""))


class ImportViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """导入任务 / import jobs: upload a file (checked in full, nothing written), read progress and every
    problem, then `confirm` to write it all or nothing. Only the user who started a job sees it."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser]
    permission_classes = [HasWriteGrant]
    write_action = "change"

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False):  # not while the OpenAPI schema is generated (no database)
            jobs.look()  # jobs whose process died are ended, the queue moves on
        return Job.objects.restrict(self.request.user).filter(task=import_jobs.TASK)

    @extend_schema(request=None, responses=ImportSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self.get_object()
        if not jobs.confirm(job):
            raise serializers.ValidationError({"status": ["只有检查通过的任务可以确认导入 / only a checked job can be confirmed"]})
        return Response(self.get_serializer(job).data)

    @extend_schema(request=None, responses=ImportSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        if job.running:
            jobs.cancel(job)
            job.refresh_from_db()
        return Response(self.get_serializer(job).data)


class FileNegotiation(DefaultContentNegotiation):
    """`?format=` names the file (xlsx or csv) here, not an API renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportAPIView(APIView):
    """导出 / export: the filtered list as .xlsx or .csv, in the import format; with `layout=roster`, its
    printable roster (花名册) as .docx or .xlsx: A4, title, as-of day, numbered rows, page numbers. Scoped and
    logged; the list's filters as its other parameters (`as_of` dates a roster)."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = FileNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["xlsx", "csv", "docx"],
                                                description="list: xlsx (default) or csv; roster: docx (default) or xlsx"),
                               OpenApiParameter("layout", str, enum=list(LAYOUTS),
                                                description="list: the import format; roster: a printable roster (花名册)")],
                   responses={(200, XLSX): bytes, (200, "text/csv"): bytes, (200, DOCX): bytes})
    def get(self, request, sheet):
        if sheet not in registry.sheets:
            raise Http404
        layout, fmt = export_choice(request.query_params)
        if layout == "roster" and registry.sheets[sheet].roster is None:
            raise Http404
        filters = request.query_params.copy()
        for key in ("format", "layout"):
            filters.pop(key, None)
        buf = io.BytesIO()
        export(sheet, request.user, filters, buf, fmt, request=request, layout=layout)
        buf.seek(0)
        return FileResponse(buf, as_attachment=True, filename=export_jobs.filename(sheet, fmt, layout))
