"""Pages for partner workshops, their points, and the elected members' survey."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from saferplan.consultation import selectors as consultation
from saferplan.core.pages import CreatePage, UpdatePage
from saferplan.consultation import services as consultation_services

from .. import services
from ..forms import WorkshopForm, WorkshopPointForm
from ..models import PointKind, Workshop, WorkshopPoint
from .base import PlanningMixin, PlanningRecord, RecordRemove, _url, post_only


# --- Workshops -------------------------------------------------------------------------------------


class Workshops(PlanningMixin, TemplateView):
    template_name = "planning/workshops.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshops = Workshop.objects.filter(partnership=self.partnership).select_related("sub_group").prefetch_related(
            "organisations", "points")
        context.update(self.context(workshops=workshops, member_surveys=consultation.member_surveys(self.partnership)))
        return context


class WorkshopRecord(PlanningRecord):
    model = Workshop
    form_class = WorkshopForm
    noun = "workshop"
    capability = "change_workshops"

    def list_url(self):
        return _url("workshops", self.partnership)

    def form_kwargs(self):
        return {"partnership": self.partnership}


class WorkshopAdd(WorkshopRecord, CreatePage):
    pass


class WorkshopEdit(WorkshopRecord, UpdatePage):
    pass


class WorkshopDetail(WorkshopRecord, TemplateView):
    template_name = "planning/workshop.html"
    capability = "view_plan"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshop = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        points = workshop.points.prefetch_related("issues")
        groups = [(kind, [p for p in points if p.kind == kind.value]) for kind in PointKind]
        context.update(self.context(workshop=workshop, groups=groups, history=self.history_for(workshop)))
        return context


class WorkshopRemove(WorkshopRecord, RecordRemove):
    def consequences(self, obj):
        n = obj.points.count()
        return [f"Its {n} recorded point{'s' if n != 1 else ''} will be removed too, and priorities will no longer "
                "cite them"] if n else []


class PointRecord(PlanningRecord):
    model = WorkshopPoint
    form_class = WorkshopPointForm
    noun = "point"
    capability = "change_workshops"
    partnership_path = "workshop__partnership"

    def get_queryset(self):
        return super().get_queryset().select_related("workshop")

    def form_kwargs(self):
        return {"partnership": self.partnership}

    def workshop(self) -> Workshop:
        if self.object is not None:
            return self.object.workshop
        return get_object_or_404(Workshop, partnership=self.partnership, pk=self.kwargs["workshop"])

    def list_url(self):
        return self.workshop().get_absolute_url()

    def back_url(self, obj):
        return (obj.workshop if obj is not None and obj.pk else self.workshop()).get_absolute_url()

    def success_url(self, obj):
        return obj.workshop.get_absolute_url() + f"#point-{obj.pk}"

    def caption(self):
        workshop = self.workshop()
        return f"{workshop.title}, {workshop.held_on:%-d %B %Y}"

    def heading(self):
        return "Change the point" if self.object else "Add a point"

    def get_success_message(self, cleaned_data):
        return f"The point has been {self.action}."


class PointAdd(PointRecord, CreatePage):
    def new_object(self):
        workshop = self.workshop()
        return WorkshopPoint(workshop=workshop, order=services.next_order(workshop.points.all()))

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {**super().get_initial(), **({"kind": kind} if kind in PointKind.values else {})}


class PointEdit(PointRecord, UpdatePage):
    pass


class PointRemove(PointRecord, RecordRemove):
    def after_url(self, obj):
        return obj.workshop.get_absolute_url()


class MembersSurvey(PlanningMixin, View):
    """Start the elected members' survey: the consultation engine, with members as its audience."""

    capability = "change_consultation"

    def get(self, request, slug):
        return post_only(request, _url("workshops", self.partnership), "Go to the workshops to start the survey")

    def post(self, request, slug):
        survey, made = consultation_services.create_members_survey(self.partnership)
        if made:
            messages.success(request, f"“{survey}” has been made as a draft: check it, then publish it to members.")
        else:
            messages.success(request, f"“{survey}” was made earlier this year: here it is.")
        return redirect(survey.get_absolute_url())
