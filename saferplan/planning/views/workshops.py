"""Pages for partner workshops, their points, and the elected members' survey."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from saferplan.consultation import selectors as consultation
from saferplan.consultation import services as consultation_services

from .. import services
from ..forms import WorkshopForm, WorkshopPointForm
from ..models import PointKind, Workshop, WorkshopPoint
from .base import FormPage, PlanningMixin, RemovePage, _url, post_only


# --- Workshops -------------------------------------------------------------------------------------


class Workshops(PlanningMixin, TemplateView):
    template_name = "planning/workshops.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshops = Workshop.objects.filter(partnership=self.partnership).select_related("sub_group").prefetch_related(
            "organisations", "points")
        context.update(self.context(workshops=workshops, member_surveys=consultation.member_surveys(self.partnership)))
        return context


class WorkshopMixin:
    model = Workshop
    form_class = WorkshopForm
    noun = "workshop"
    capability = "change_workshops"

    def queryset(self):
        return Workshop.objects.filter(partnership=self.partnership)

    def new_object(self):
        return Workshop(partnership=self.partnership)

    def form_kwargs(self, obj):
        return {"partnership": self.partnership}

    def success_url(self, obj):
        return obj.get_absolute_url()


class WorkshopForm_(WorkshopMixin, FormPage):
    def back_url(self, obj):
        return obj.get_absolute_url() if obj.pk else _url("workshops", self.partnership)

    def save(self, form, adding):
        return form.save()


class WorkshopDetail(WorkshopMixin, PlanningMixin, TemplateView):
    template_name = "planning/workshop.html"
    capability = "view_plan"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshop = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        points = workshop.points.prefetch_related("issues")
        groups = [(kind, [p for p in points if p.kind == kind.value]) for kind in PointKind]
        context.update(self.context(workshop=workshop, groups=groups, history=self.history_for(workshop)))
        return context


class WorkshopRemove(WorkshopMixin, RemovePage):
    def back_url(self, obj):
        return obj.get_absolute_url()

    def after_url(self, obj):
        return _url("workshops", self.partnership)

    def consequences(self, obj):
        n = obj.points.count()
        return [f"Its {n} recorded point{'s' if n != 1 else ''} will be removed too, and priorities will no longer "
                "cite them"] if n else []


class PointMixin:
    model = WorkshopPoint
    form_class = WorkshopPointForm
    noun = "point"
    capability = "change_workshops"

    def queryset(self):
        return WorkshopPoint.objects.filter(workshop__partnership=self.partnership).select_related("workshop")

    def form_kwargs(self, obj):
        return {"partnership": self.partnership}

    def success_url(self, obj):
        return obj.workshop.get_absolute_url() + f"#point-{obj.pk}"


class PointForm_(PointMixin, FormPage):
    def new_object(self):
        workshop = get_object_or_404(Workshop, partnership=self.partnership, pk=self.kwargs["workshop"])
        return WorkshopPoint(workshop=workshop, order=services.next_order(workshop.points.all()))

    def initial(self, obj):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in PointKind.values else {}

    def back_url(self, obj):
        return obj.workshop.get_absolute_url()

    def heading(self, obj):
        return "Change the point" if obj.pk else "Add a point"

    def message(self, obj, adding):
        return f"The point has been {'added' if adding else 'saved'}."

    def extra(self, obj):
        return {"caption": f"{obj.workshop.title}, {obj.workshop.held_on:%-d %B %Y}"}


class PointRemove(PointMixin, RemovePage):
    def back_url(self, obj):
        return obj.workshop.get_absolute_url()

    after_url = back_url


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
