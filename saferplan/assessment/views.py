"""Pages of the strategic assessment. Thin: forms validate, ``services`` does the work."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.downloads import attachment
from saferplan.core.disclosure import note as disclosure_note
from saferplan.partnership.audit import history_of
from saferplan.core.pages import PartnershipMixin

from saferplan.documents import stored

from . import report, services, stored_documents
from .disclosure import publication
from .analysis import SIGNIFICANCE_METHOD, SIGNIFICANCE_TEST
from .police import ImportRefused
from .forms import (
    BoundaryUploadForm,
    ColumnMappingForm,
    HarmWeightsForm,
    PartnerUploadForm,
    PeriodForm,
    PoliceUploadForm,
    ReviewFindingForm,
    ServerFolderForm,
)
from .models import Finding, ImportJob
from saferplan.core.periods import Period, month_label, parse_month

MAX_PERIOD_MONTHS = 36
TOP_ROWS = 10


def _period(text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError:
        raise Http404("No such period") from None
    if period.months > MAX_PERIOD_MONTHS:
        raise Http404("Periods are at most 36 months")
    return period


def _publish(request) -> bool:
    return request.GET.get("publish") in ("1", "yes", "true")


@dataclass
class ShownTable:
    key: str
    title: str
    note: str
    head: list[dict]  # the shared table include's columns: label, numeric
    rows: list[list[tuple[str, bool]]]
    limit: int | None = None
    csv_url: str = ""
    suppressed: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def shown(self):
        return self.rows[: self.limit] if self.limit else self.rows

    @property
    def more(self) -> bool:
        return bool(self.limit) and len(self.rows) > self.limit


def show_table(table, publish: bool, limit: int | None = None, csv_url: str = "", title: str | None = None) -> ShownTable:
    numeric = [c.numeric for c in table.columns]
    return ShownTable(
        key=table.key, title=title or table.title, note=table.note,
        head=[{"label": c.label, "numeric": c.numeric} for c in table.columns],
        rows=[list(zip(values, numeric)) for values in table.text_rows(publish)],
        limit=limit, csv_url=csv_url, suppressed=table.has_suppression(publish),
    )


class AssessmentMixin(PartnershipMixin):
    capability = "view_assessment"

    def url(self, name, **kwargs):
        return reverse(f"assessment:{name}", kwargs={"slug": self.partnership.slug, **kwargs})

    def period(self, text: str) -> Period:
        """The period named in a URL or form: well formed, possible, and overlapping the months
        of police data held for the area; anything else is not a page (404)."""
        period = _period(text)
        months = services.months_held(self.partnership)
        if not months or period.end < parse_month(months[0]["month"]) or period.start > parse_month(months[-1]["month"]):
            raise Http404("No police data is held for that period")
        return period


# --- The assessment page --------------------------------------------------------------------------


class AssessmentIndex(AssessmentMixin, TemplateView):
    template_name = "assessment/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = services.months_held(self.partnership)
        choices = services.period_choices(months)
        form = PeriodForm(self.request.GET or None, month_choices=choices)
        period = None
        if months:
            if form.is_bound and form.is_valid():
                period = services.period_from(form.cleaned_data["end"], form.cleaned_data["months"], months)
            elif not form.is_bound:
                period = services.default_period(months)
                form = PeriodForm(initial={"end": months[-1]["month"], "months": 12}, month_choices=choices)
        can_change = self.access.can("change_assessment")
        context.update(months=months, form=form, can_change=can_change, last_changed=services.last_changed(self.partnership),
                       jobs=ImportJob.objects.filter(partnership=self.partnership)[:3] if can_change else [])
        if period is None:
            return context
        publish = _publish(self.request)
        data = services.assessment(self.partnership, period)
        if publish:
            data = publication(data)
        tables = services.report_tables(data, publish)
        p = str(period)

        def csv(key):
            return self.url("table-csv", period=p, key=key) + ("?publish=1" if publish else "")

        def shown(key, limit=None, title=None):
            return show_table(tables[key], publish, limit, csv(key), title) if key in tables else None

        charts = services.chart_list(data, publish)
        chart = {k: {"title": c.title, "description": c.description,
                     "url": self.url("chart", period=p, key=k) + ("?publish=1" if publish else "")}
                 for k, c in charts.items()}
        hot = data["hotspots"]
        significant_hot = None
        if hot["available"]:
            from saferplan.documents.tables import Table

            rows = [r for r in hot["lsoas"] if r["classification"] != "not significant"]
            significant_hot = show_table(Table("hotspots", "Significant hotspots and coldspots", tables["hotspots"].columns,
                                               rows), publish)
        findings = Finding.objects.filter(partnership=self.partnership, period=p)
        missing_boundaries = services.boundaries_missing(self.partnership)
        context.update(
            period=period, period_str=p, publish=publish, data=data, chart=chart,
            categories=shown("categories"), monthly=shown("monthly"), lsoas=shown("lsoas", TOP_ROWS),
            asb_lsoas=shown("asb_lsoas"), outcomes_overall=shown("outcomes_overall"),
            headline=report.headline(data, publish), suppression_note=disclosure_note(),
            wards=shown("wards", TOP_ROWS), concentration=shown("concentration"),
            hotspots=shown("hotspots", TOP_ROWS, "Getis-Ord Gi* for every LSOA"), significant_hotspots=significant_hot,
            repeat_locations=shown("repeat_locations"), outcomes=shown("outcomes", 15), harm=shown("harm"),
            partner=shown("partner"), data_quality=shown("data_quality"),
            lsoas_top=show_table(charts["lsoas"].table, publish) if "lsoas" in charts else None,
            significance_test=SIGNIFICANCE_TEST, significance_method=SIGNIFICANCE_METHOD,
            accepted=findings.filter(status=Finding.Status.ACCEPTED),
            drafted_count=findings.filter(status=Finding.Status.DRAFTED).count(),
            findings_count=findings.count(),
            # Once drafted and stored, rejected findings are never shown again as drafts.
            draft_findings=(findings.filter(status=Finding.Status.DRAFTED) if findings.exists()
                            else data["findings"]),
            boundaries_missing=missing_boundaries, show_map=missing_boundaries is None,
            can_load_boundaries=self.access.can("load_boundaries"),
            map_lsoa_url=self.url("map-data", period=p, level="lsoa") + ("?publish=1" if publish else ""),
            map_ward_url=self.url("map-data", period=p, level="ward") + ("?publish=1" if publish else ""),
            custom_weights=data["harm"]["edited"],
            asb=data["asb"], totals=data["totals"],
        )
        return context


class ChartSvg(AssessmentMixin, View):
    def get(self, request, slug, period, key):
        svg = services.chart_svg(self.partnership, self.period(period), key, _publish(request))
        if svg is None:
            raise Http404("No such chart")
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=300"
        return response


class TableCsv(AssessmentMixin, View):
    def get(self, request, slug, period, key):
        publish = _publish(request)
        data = services.assessment(self.partnership, self.period(period))
        content = services.table_csv(data, key, publish)
        if content is None:
            raise Http404("No such table")
        return attachment(content, services.download_name(data, f"-{key}.csv", publish))


class TablesZip(AssessmentMixin, View):
    def get(self, request, slug, period):
        publish = _publish(request)
        data = services.assessment(self.partnership, self.period(period))
        return attachment(services.tables_zip(data, publish), services.download_name(data, "-tables.zip", publish))


class ReportDownload(AssessmentMixin, View):
    def get(self, request, slug, period, fmt):
        if fmt not in ("pdf", "docx"):
            raise Http404("No such format")
        publish = _publish(request)
        p = self.period(period)
        # Rendered by the job worker, not here (one to three seconds of CPU): until it is stored
        # the answer is a page saying it is being prepared (202).
        variant = " for publication" if publish else ""
        return stored.response(request, stored_documents.key(self.partnership, p, fmt, publish),
                               title=f"The strategic assessment report{variant}, {p.label()} ({fmt.upper()})",
                               back_url=self.url("index") + f"?end={month_label(p.end)}&months={p.months}",
                               back_text="Back to the strategic assessment",
                               base_template="base.html", context={"partnership": self.partnership})


class MapData(AssessmentMixin, View):
    def get(self, request, slug, period, level):
        if level not in ("lsoa", "ward"):
            raise Http404("No such level")
        return JsonResponse(services.map_geojson(self.partnership, self.period(period), level, _publish(request)))


# --- Imports --------------------------------------------------------------------------------------


def too_large(request) -> str | None:
    """Refuse an upload by its declared length, before Django writes any of it to disk."""
    from .forms import _size

    limit = services.max_upload_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    # The form's other fields and the multipart framing add a little to the files' size.
    if length > limit + 64 * 1024:
        return (f"The upload is {_size(length)}; upload at most {_size(limit)} at once (import a large "
                "archive in parts, or ask the site operator to load it)")
    return None


def refused_form(form_class, field: str, message: str):
    """The form with one error on ``field`` and nothing else (its body was never read)."""
    form = form_class(data={})
    form.is_valid()
    form.errors.clear()
    form.add_error(field, message)
    return form


class ImportsView(AssessmentMixin, TemplateView):
    template_name = "assessment/imports.html"
    capability = "change_assessment"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            months=services.months_held(self.partnership),
            jobs=ImportJob.objects.filter(partnership=self.partnership).select_related("created_by")[:20],
            datasets=services.partner_datasets(self.partnership),
            changes=services.data_changes(self.partnership),
        )
        return context


class PoliceUpload(AssessmentMixin, View):
    capability = "change_assessment"

    def get(self, request, slug):
        return self._render(PoliceUploadForm(), ServerFolderForm())

    def post(self, request, slug):
        if too_large(request):
            return self._render(refused_form(PoliceUploadForm, "files", too_large(request)), ServerFolderForm())
        form = PoliceUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, ServerFolderForm())
        job = services.start_police_upload(self.partnership, form.cleaned_data["files"], request.user)
        return redirect(job.get_absolute_url())

    def _render(self, form, server_form):
        return render(self.request, "assessment/police_upload.html",
                      {"partnership": self.partnership, "form": form, "server_form": server_form})


class BoundaryUpload(AssessmentMixin, View):
    """A manager loads the LSOA and ward boundaries of the partnership's own authorities."""
    capability = "load_boundaries"

    def get(self, request, slug):
        return self._render(BoundaryUploadForm())

    def post(self, request, slug):
        if too_large(request):
            return self._render(refused_form(BoundaryUploadForm, "files", too_large(request)))
        form = BoundaryUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form)
        job = services.start_boundary_upload(self.partnership, form.cleaned_data["files"], request.user)
        return redirect(job.get_absolute_url())

    def _render(self, form):
        return render(self.request, "assessment/boundaries.html",
                      {"partnership": self.partnership, "form": form,
                       "authorities": services.boundary_status(self.partnership),
                       "jobs": ImportJob.objects.filter(partnership=self.partnership,
                                                        kind=ImportJob.Kind.BOUNDARIES)[:5]})


class ServerImport(AssessmentMixin, View):
    capability = "change_assessment"

    def post(self, request, slug):
        form = ServerFolderForm(request.POST)
        if not form.is_valid():
            return render(request, "assessment/police_upload.html",
                          {"partnership": self.partnership, "form": PoliceUploadForm(), "server_form": form,
                           "server_open": True})
        job = services.start_police_server(self.partnership, form.cleaned_data["folder"], request.user)
        return redirect(job.get_absolute_url())


class ImportDetail(AssessmentMixin, TemplateView):
    template_name = "assessment/import_detail.html"
    capability = "change_assessment"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = get_object_or_404(ImportJob, partnership=self.partnership, pk=self.kwargs["pk"])
        context["job"] = job
        context["status_url"] = self.url("import-status", pk=job.pk)
        return context


class ImportConfirm(AssessmentMixin, View):
    """Replace force-months with far fewer records, once the person has seen both counts."""

    capability = "change_assessment"

    def post(self, request, slug, pk):
        job = get_object_or_404(ImportJob, partnership=self.partnership, pk=pk,
                                status=ImportJob.Status.NEEDS_CONFIRMATION)
        if "cancel" in request.POST:
            services.cancel_import(job)
            messages.success(request, "The import was cancelled: the records held are as they were.")
        else:
            services.confirm_import(job, request.user)
        return redirect(job.get_absolute_url())


class ImportRetry(AssessmentMixin, View):
    """Queue again, or give up, an import whose worker stopped before it finished."""

    capability = "change_assessment"

    def post(self, request, slug, pk):
        job = get_object_or_404(ImportJob, partnership=self.partnership, pk=pk)
        if not job.stalled:
            return redirect(job.get_absolute_url())
        if "abandon" in request.POST:
            services.abandon_import(job)
            messages.success(request, "The import was abandoned: the records held are as they were.")
        else:
            try:
                services.retry_import(job, request.user)
            except ValueError as exc:
                messages.error(request, f"The import cannot be retried: {exc}.")
        return redirect(job.get_absolute_url())


class ImportStatus(AssessmentMixin, View):
    capability = "change_assessment"

    def get(self, request, slug, pk):
        job = get_object_or_404(ImportJob, partnership=self.partnership, pk=pk)
        return JsonResponse(job.status_dict())


class PartnerUpload(AssessmentMixin, View):
    capability = "change_assessment"

    def get(self, request, slug):
        return self._render(PartnerUploadForm())

    def post(self, request, slug):
        if too_large(request):
            return self._render(refused_form(PartnerUploadForm, "file", too_large(request)))
        form = PartnerUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form)
        try:
            job = services.start_partner_upload(self.partnership, form.cleaned_data["file"],
                                                form.cleaned_data["dataset"], request.user)
        except ImportRefused as exc:
            form.add_error("file", str(exc))
            return self._render(form)
        return redirect(self.url("partner-mapping", pk=job.pk))

    def _render(self, form):
        return render(self.request, "assessment/partner_upload.html", {"partnership": self.partnership, "form": form})


class PartnerMapping(AssessmentMixin, View):
    capability = "change_assessment"

    def job(self):
        job = get_object_or_404(ImportJob, partnership=self.partnership, pk=self.kwargs["pk"], kind=ImportJob.Kind.PARTNER)
        if job.status not in (ImportJob.Status.AWAITING_MAPPING, ImportJob.Status.FAILED) or not services.partner_file(job).exists():
            raise Http404("This file has been imported or removed; upload it again")
        return job

    def refused(self, job, exc: ImportRefused):
        form = refused_form(PartnerUploadForm, "file", str(exc))
        form.data = {"dataset": job.dataset}
        return render(self.request, "assessment/partner_upload.html", {"partnership": self.partnership, "form": form})

    def get(self, request, slug, pk):
        job = self.job()
        try:
            info = services.inspect_partner(job)
        except ImportRefused as exc:
            return self.refused(job, exc)
        initial = dict(job.mapping or {k: v or "" for k, v in info["suggested"].items()})
        initial["dataset"] = job.dataset
        if not initial.get("measure") and not initial.get("fixed_measure"):
            initial["fixed_measure"] = ""
        form = ColumnMappingForm(initial=initial, columns=info["columns"])
        return self._render(job, info, form)

    def post(self, request, slug, pk):
        job = self.job()
        try:
            info = services.inspect_partner(job)
        except ImportRefused as exc:
            return self.refused(job, exc)
        form = ColumnMappingForm(request.POST, columns=info["columns"])
        if not form.is_valid():
            return self._render(job, info, form)
        job = services.start_partner_import(job, form.mapping(), form.cleaned_data["dataset"])
        return redirect(job.get_absolute_url())

    def _render(self, job, info, form):
        return render(self.request, "assessment/partner_mapping.html",
                      {"partnership": self.partnership, "job": job, "info": info, "form": form})


# --- Findings -------------------------------------------------------------------------------------


class FindingsList(AssessmentMixin, TemplateView):
    template_name = "assessment/findings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings = Finding.objects.filter(partnership=self.partnership).select_related("reviewed_by")
        periods = list(findings.order_by("-period").values_list("period", flat=True).distinct())
        chosen = self.request.GET.get("period")
        if not chosen:
            months = services.months_held(self.partnership)
            default = services.default_period(months)
            chosen = periods[0] if periods else (str(default) if default else None)
        if chosen:
            # Findings already stored stay readable; a new period must have data to draft from.
            if chosen in periods:
                _period(chosen)
            else:
                self.period(chosen)
        shown = findings.filter(period=chosen) if chosen else findings.none()
        context.update(
            period=chosen, period_label=Period.parse(chosen).label() if chosen else "",
            periods=[(p, Period.parse(p).label()) for p in periods], findings=shown,
            counts={s: shown.filter(status=s).count() for s in Finding.Status.values},
            can_change=self.access.can("change_assessment"),
        )
        return context


class DraftFindings(AssessmentMixin, View):
    capability = "change_assessment"

    def post(self, request, slug):
        period = self.period(request.POST.get("period", ""))
        result = services.draft_findings(self.partnership, period)
        parts = [f"{result.created} new", f"{result.updated} updated"]
        if result.removed:
            parts.append(f"{result.removed} no longer supported by the figures removed")
        if result.kept:
            parts.append(f"{result.kept} already reviewed kept as they are")
        if result.changed_since_review:
            parts.append(f"{result.changed_since_review} of those have new figures to look at")
        messages.success(request, f"Findings drafted for {period.label()}: " + ", ".join(parts) + ".")
        return redirect(self.url("findings") + f"?period={period}")


class FindingDetail(AssessmentMixin, TemplateView):
    template_name = "assessment/finding_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        finding = get_object_or_404(Finding.objects.select_related("reviewed_by"), partnership=self.partnership,
                                    pk=self.kwargs["pk"])
        context.update(finding=finding, numbers=_numbers(finding.numbers),
                       period_months=Period.parse(finding.period).months,
                       history=_finding_history(finding) if self.access.can("view_history") else None,
                       can_change=self.access.can("change_assessment"))
        return context


# Bookkeeping fields a reader of the history does not need (the figures are shown on the page).
QUIET_FIELDS = {"Key", "Position", "Numbers", "Kind", "Measure", "Drafted at", "Reviewed at", "Redrafted text"}


def _finding_history(finding):
    rows = history_of(finding)
    for row in rows:
        row.changes = [c for c in row.changes if c.field not in QUIET_FIELDS]
    return [r for r in rows if r.changes or r.action != "Changed"]


def _numbers(numbers: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in numbers.items():
        label = key.replace("_", " ").capitalize().replace("Pct", "%").replace("pct", "%")
        if isinstance(value, list):
            value = "; ".join(", ".join(f"{v}" for v in (item.values() if isinstance(item, dict) else [item])) for item in value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, float):
            value = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:,.1f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        rows.append((label, str(value)))
    return rows


class ReviewFinding(AssessmentMixin, View):
    capability = "change_assessment"

    def finding(self):
        return get_object_or_404(Finding, partnership=self.partnership, pk=self.kwargs["pk"])

    def get(self, request, slug, pk):
        finding = self.finding()
        form = ReviewFindingForm(initial={"text": finding.final_text, "note": finding.review_note,
                                          "status": finding.status if finding.status != Finding.Status.DRAFTED else ""})
        return self._render(finding, form)

    def post(self, request, slug, pk):
        finding = self.finding()
        if "take_redraft" in request.POST and finding.redrafted_text:
            services.take_redraft(finding, request.user)
            messages.success(request, "The finding now has the newly drafted text; review it again.")
            return redirect(self.url("finding-review", pk=finding.pk))
        form = ReviewFindingForm(request.POST)
        if not form.is_valid():
            return self._render(finding, form)
        services.review_finding(finding, status=form.cleaned_data["status"], text=form.cleaned_data["text"],
                                note=form.cleaned_data["note"], user=request.user)
        label = {"accepted": "accepted", "rejected": "rejected", "drafted": "kept as a draft"}[finding.status]
        messages.success(request, f"“{finding.title}” has been {label}.")
        return redirect(self.url("findings") + f"?period={finding.period}#finding-{finding.pk}")

    def _render(self, finding, form):
        return render(self.request, "assessment/finding_review.html",
                      {"partnership": self.partnership, "finding": finding, "form": form, "numbers": _numbers(finding.numbers)})


# --- Harm weights ---------------------------------------------------------------------------------


class HarmWeights(AssessmentMixin, View):
    def capability_for(self, request):
        return "change_assessment" if request.method == "POST" else "view_assessment"

    def get(self, request, slug):
        return self._render(HarmWeightsForm(rows=services.harm_weight_rows(self.partnership)))

    def post(self, request, slug):
        form = HarmWeightsForm(request.POST, rows=services.harm_weight_rows(self.partnership))
        if not form.is_valid():
            return self._render(form)
        changed = services.save_harm_weights(self.partnership, form.weights(), form.cleaned_data["reason"])
        if changed:
            messages.success(request, "Harm weights saved for: " + ", ".join(changed) + ".")
        else:
            messages.success(request, "No weights were changed.")
        return redirect(self.url("index") + "#harm")

    def _render(self, form):
        from .harm import harm_weights
        from .models import HarmWeight

        history = None
        if self.access.can("view_history"):
            from saferplan.partnership.audit import _rows

            records = HarmWeight.history.filter(partnership_id=self.partnership.pk).select_related("history_user")
            history = _rows(records.order_by("-history_date")[:50], HarmWeight, lambda r: r.category)
        return render(self.request, "assessment/harm_weights.html", {
            "partnership": self.partnership, "form": form, "method": harm_weights().method,
            "can_change": self.access.can("change_assessment"), "history": history, "show_subject": True,
        })
