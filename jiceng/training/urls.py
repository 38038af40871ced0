"""Training (培训) pages under /training/ and its API (route names are global; each is declared to the
permission matrix in testing.py)."""
from django.urls import include, path

from . import views
from .api import CourseViewSet, CoverageAPIView, EnrolmentViewSet, FiguresAPIView, ProgressAPIView

urlpatterns = [path("training/", include([
    path("", views.CourseListView.as_view(), name="course_list"),
    path("add/", views.CourseAddView.as_view(), name="course_add"),
    path("<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("<int:pk>/edit/", views.CourseEditView.as_view(), name="course_edit"),
    path("<int:pk>/enrol/", views.CourseEnrolView.as_view(), name="course_enrol"),
    path("<int:pk>/people/", views.CoursePeopleView.as_view(), name="course_people"),
    path("lines/<int:pk>/", views.EnrolmentEditView.as_view(), name="enrolment_edit"),
    path("coverage/", views.CoverageView.as_view(), name="training_coverage"),
    path("mine/", views.MyTrainingView.as_view(), name="my_training"),
]))]

api_routes = [("training/courses", CourseViewSet, "api-course"), ("training/enrolments", EnrolmentViewSet, "api-enrolment")]
api_urlpatterns = [
    path("training/coverage/", CoverageAPIView.as_view(), name="api-training-coverage"),
    path("training/figures/", FiguresAPIView.as_view(), name="api-training-figures"),
    path("training/progress/", ProgressAPIView.as_view(), name="api-training-progress"),
]
