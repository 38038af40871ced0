"""Organizational life (组织生活) pages under /orglife/ and its API (route names are global; each is declared to
the permission matrix in testing.py)."""
from django.urls import include, path

from . import review_views, views
from .api import ComplianceAPIView, MeetingViewSet

urlpatterns = [path("orglife/", include([
    path("", views.MeetingListView.as_view(), name="meeting_list"),
    path("add/", views.MeetingAddView.as_view(), name="meeting_add"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("<int:pk>/attach/", views.MeetingAttachView.as_view(), name="meeting_attach"),
    path("<int:pk>/attachment/<int:attachment>/", views.MeetingAttachmentView.as_view(), name="meeting_attachment"),
    path("compliance/<int:pk>/", views.CalendarView.as_view(), name="orglife_calendar"),
    path("compliance/<int:pk>/subtree/", views.SubtreeView.as_view(), name="orglife_subtree"),
    path("review/", review_views.ReviewQueueView.as_view(), name="meeting_review_queue"),
    path("<int:pk>/review/", review_views.ReviewView.as_view(), name="meeting_review"),
    path("checks/", review_views.ChecksView.as_view(), name="orglife_checks"),
    path("checks/<int:pk>/<int:other>/", review_views.PairView.as_view(), name="orglife_pair"),
]))]

api_routes = [("orglife/meetings", MeetingViewSet, "api-meeting")]
api_urlpatterns = [path("orglife/compliance/", ComplianceAPIView.as_view(), name="api-orglife-compliance")]

# the appraisal (民主评议) and the life meeting's follow-up (appraisal_views.py, appraisal_api.py)
from . import appraisal_views as av  # noqa: E402
from .appraisal_api import AppraisalViewSet, RectificationViewSet  # noqa: E402

urlpatterns += [path("orglife/", include([
    path("appraisals/", av.AppraisalListView.as_view(), name="appraisal_list"),
    path("appraisals/add/", av.AppraisalAddView.as_view(), name="appraisal_add"),
    path("appraisals/<int:pk>/", av.AppraisalDetailView.as_view(), name="appraisal_detail"),
    path("appraisals/<int:pk>/edit/", av.AppraisalEditView.as_view(), name="appraisal_edit"),
    path("<int:pk>/followup/", av.FollowUpView.as_view(), name="meeting_followup"),
    path("<int:pk>/rectification/add/", av.RectificationAddView.as_view(), name="rectification_add"),
    path("<int:pk>/rectification/people/", av.RectificationPeopleView.as_view(), name="rectification_people"),
    path("rectification/<int:pk>/edit/", av.RectificationEditView.as_view(), name="rectification_edit"),
]))]
api_routes += [("orglife/appraisals", AppraisalViewSet, "api-appraisal"),
               ("orglife/rectifications", RectificationViewSet, "api-rectification")]

# optional phone sign-in by QR code (signin.py, signin_api.py)
from .signin_api import SignInAPIView  # noqa: E402

urlpatterns += [path("orglife/", include([
    path("<int:pk>/sign-in/", views.SignInLinkView.as_view(), name="meeting_sign_in_link"),
    path("<int:pk>/sign-in/close/", views.SignInCloseView.as_view(), name="meeting_sign_in_close"),
    path("sign-in/", views.SignInView.as_view(), name="orglife_sign_in"),
]))]
api_urlpatterns += [path("orglife/sign-in/", SignInAPIView.as_view(), name="api-orglife-sign-in")]

# the figures of a subtree and period, with other apps' figures as panels (figures.py, figures_views.py)
from . import figures_views as fv  # noqa: E402

urlpatterns += [path("orglife/figures/", fv.FiguresView.as_view(), name="orglife_figures")]
api_urlpatterns += [path("orglife/figures/", fv.FiguresAPIView.as_view(), name="api-orglife-figures")]
