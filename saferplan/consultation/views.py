"""Staff pages of the consultation, under /p/<partnership>/consultation/. Thin: forms validate,
services, analysis and outputs do the work."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import OperationalError, transaction
from django.db.models import Count, ProtectedError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View

from saferplan.core.disclosure import CROSS_TABULATIONS, EQUALITY_ANSWERS
from saferplan.core.downloads import attachment, preview
from saferplan.core.pages import CreatePage, ListPage, PartnershipMixin, UpdatePage
from saferplan.documents import stored
from saferplan.forms import id_or_404
from saferplan.wording import counted

from . import analysis, importer, library, outputs, public, redaction, services, stored_documents, themes
from .forms import (
    ConfirmForm,
    ContactForm,
    CopySurveyForm,
    EventForm,
    ImportUploadForm,
    NewSurveyForm,
    PetitionForm,
    QuestionEditForm,
    QuestionForm,
    RepresentationForm,
    ReviewForm,
    SectionForm,
    SurveyForm,
    error_list,
)
from .models import (
    Answer,
    Channel,
    EngagementEvent,
    ImportBatch,
    Option,
    Petition,
    Question,
    QuestionType,
    Redaction,
    Representation,
    Response,
    ResponseStatus,
    Section,
    Survey,
    Theme,
    ThemeSuggestion,
)


class ConsultationView(PartnershipMixin, View):
    """A page about one survey of the partnership: 404 for another partnership's."""

    template = ""

    def survey_or_404(self, pk) -> Survey:
        return get_object_or_404(Survey, partnership=self.partnership, pk=pk)

    def page(self, template=None, context=None, status=200):
        context = {"partnership": self.partnership, "access": self.access, **(context or {})}
        if isinstance(context.get("survey"), Survey) and "examples" not in context:
            # Made-up example responses are labelled on every page about their survey.
            context["examples"] = analysis.example_responses(context["survey"])
        return render(self.request, f"consultation/{template or self.template}", context, status=status)


class Index(ConsultationView):
    def get(self, request, slug):
        surveys = self.partnership.surveys.annotate(n=Count("responses")).order_by("-opens_on")
        return self.page("index.html", {"surveys": surveys})


class SurveyAdd(ConsultationView):
    capability = "change_consultation"

    def get(self, request, slug):
        return self.page("survey_form.html", {"form": NewSurveyForm(partnership=self.partnership), "new": True})

    def post(self, request, slug):
        form = NewSurveyForm(request.POST, partnership=self.partnership,
                             instance=Survey(partnership=self.partnership))
        if not form.is_valid():
            return self.page("survey_form.html", {"form": form, "new": True})
        with transaction.atomic():
            survey = form.save()
            template = form.cleaned_data["template"]
            if template != "blank":
                library.apply_template(survey, template, place=self.partnership.area_names[0] if self.partnership.area_names else None,
                                       with_area=form.cleaned_data["add_area"])
            elif form.cleaned_data["add_area"]:
                library.add_sections(survey, [library.AREA_SECTION])
        messages.success(request, f"The survey “{survey.title}” has been created as a draft.")
        return redirect(survey.get_absolute_url())


class SurveyDetail(ConsultationView):
    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        counts = dict(survey.responses.values_list("channel").annotate(n=Count("pk")))
        to_review = survey.responses.filter(
            status__in=[ResponseStatus.POSSIBLE_DUPLICATE, ResponseStatus.SUSPECTED_SPAM]).count()
        return self.page("survey.html", {
            "survey": survey, "sections": survey.sections.prefetch_related("questions__options", "questions__show_if_option__question"),
            "channels": [(label, counts.get(value, 0)) for value, label in Channel.choices],
            "total": sum(counts.values()), "to_review": to_review,
            "templates": [(k, v) for k, v in library.TEMPLATES.items()],
            "events": survey.events.count(), "representations": survey.representations.count(),
            "petitions": survey.petitions.count(), "still_to_edit": library.still_to_edit(survey),
        })


class SurveyEdit(ConsultationView):
    capability = "change_consultation"

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        return self.page("survey_form.html", {"form": SurveyForm(instance=survey, partnership=self.partnership), "survey": survey})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        form = SurveyForm(request.POST, instance=survey, partnership=self.partnership)
        if not form.is_valid():
            return self.page("survey_form.html", {"form": form, "survey": survey})
        form.save()
        messages.success(request, "The survey’s details have been saved.")
        return redirect(survey.get_absolute_url())


class SurveyCopy(ConsultationView):
    capability = "change_consultation"

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        form = CopySurveyForm(initial={"title": f"Copy of {survey.title}", "slug": f"{survey.slug}-copy"[:80]},
                              partnership=self.partnership)
        return self.page("copy.html", {"form": form, "survey": survey})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        form = CopySurveyForm(request.POST, partnership=self.partnership)
        if not form.is_valid():
            return self.page("copy.html", {"form": form, "survey": survey})
        copy = services.copy_survey(survey, form.cleaned_data["title"], form.cleaned_data["slug"])
        messages.success(request, f"“{copy.title}” is a draft copy of “{survey.title}”, with no responses.")
        return redirect(copy.get_absolute_url())


class TemplateAdd(ConsultationView):
    capability = "change_consultation"

    def get(self, request, slug, pk):
        return self.page("template_add.html", {"survey": self.survey_or_404(pk), "templates": library.TEMPLATES})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        key = request.POST.get("template")
        if key not in library.TEMPLATES:
            return self.page("template_add.html", {"survey": survey, "templates": library.TEMPLATES,
                                                   "errors": [{"href": "#template", "message": "Select a template"}]})
        existing = set(survey.questions.values_list("code", flat=True))
        if key == "coventry-2024" and existing & {f"q{i}" for i in range(1, 10)}:
            messages.success(request, "This survey already has questions coded q1 to q9; nothing was added.")
            return redirect(survey.get_absolute_url())
        if key == "medway-feeling-safe" and existing & {"safe_day", "safe_evening"}:
            messages.success(request, "This survey already has the feeling-safe questions; nothing was added.")
            return redirect(survey.get_absolute_url())
        place = self.partnership.area_names[0] if self.partnership.area_names else None
        library.apply_template(survey, key, place=place)
        messages.success(request, f"Added: {library.TEMPLATES[key]}.")
        return redirect(survey.get_absolute_url())


class SectionEdit(ConsultationView):
    capability = "change_consultation"

    def get_objects(self, pk, survey_pk=None):
        if survey_pk is not None:
            survey = self.survey_or_404(survey_pk)
            return survey, Section(survey=survey, order=survey.sections.count() + 1)
        section = get_object_or_404(Section, pk=pk, survey__partnership=self.partnership)
        return section.survey, section

    def get(self, request, slug, pk):
        survey, section = self.get_objects(pk, self.kwargs.get("survey_pk"))
        return self.page("section_form.html", {"form": SectionForm(instance=section), "survey": survey, "section": section})

    def post(self, request, slug, pk):
        survey, section = self.get_objects(pk, self.kwargs.get("survey_pk"))
        form = SectionForm(request.POST, instance=section)
        if not form.is_valid():
            return self.page("section_form.html", {"form": form, "survey": survey, "section": section})
        form.save()
        messages.success(request, f"Section “{section.title}” saved.")
        return redirect(survey.get_absolute_url())


class SectionAdd(SectionEdit):
    def get(self, request, slug, pk):
        self.kwargs["survey_pk"] = pk
        return super().get(request, slug, None)

    def post(self, request, slug, pk):
        self.kwargs["survey_pk"] = pk
        return super().post(request, slug, None)


class QuestionEdit(ConsultationView):
    capability = "change_consultation"

    def objects(self, pk, adding):
        if adding:
            survey = self.survey_or_404(pk)
            if not survey.sections.exists():
                Section.objects.create(survey=survey, title="Questions", order=1)
            return survey, Question(survey=survey, order=survey.questions.count() + 1)
        question = get_object_or_404(Question, pk=pk, survey__partnership=self.partnership)
        return question.survey, question

    def get(self, request, slug, pk):
        survey, question = self.objects(pk, self.adding)
        initial = {"section": request.GET.get("section")} if self.adding else None
        form = QuestionEditForm(instance=question, survey=survey, initial=initial)
        return self.page("question_form.html", {"form": form, "survey": survey, "question": question})

    adding = False

    def post(self, request, slug, pk):
        survey, question = self.objects(pk, self.adding)
        form = QuestionEditForm(request.POST, instance=question, survey=survey)
        if not form.is_valid():
            return self.page("question_form.html", {"form": form, "survey": survey, "question": question})
        answered = question.pk and question.answers.exists()
        with transaction.atomic():
            question = form.save()
            self.save_options(question, form.cleaned_data["labels"], answered, form.cleaned_data.get("labels_cy", []))
        messages.success(request, f"Question {question.code} saved.")
        return redirect(survey.get_absolute_url() + f"#question-{question.pk}")

    @staticmethod
    def save_options(question: Question, labels: list[str], answered: bool, labels_cy: list[str] = ()):
        if question.type == QuestionType.AREA:
            if not question.options.exists():
                library.set_area_options(question)
            return
        if question.type == QuestionType.TEXT:
            labels = []
        if question.type == QuestionType.YES_NO:
            labels = ["Yes", "No"]
        existing = {o.label: o for o in question.options.filter(is_other=False)}
        welsh = dict(zip(labels, labels_cy)) if len(labels_cy) == len(labels) else {}
        for order, label in enumerate(labels, 1):
            option = existing.pop(label, None) or Option(question=question, label=label)
            option.order = order
            option.label_cy = welsh.get(label, "")
            option.save()
        for option in existing.values():
            # Options already chosen by someone are kept (their answers would be lost otherwise).
            if not option.answers.exists():
                option.delete()
        other = question.options.filter(is_other=True).first()
        if question.allow_other and question.is_choice and other is None:
            Option.objects.create(question=question, label="Other", order=len(labels) + 1, is_other=True)
        elif other is not None:
            if not question.allow_other and not other.answers.exists():
                other.delete()
            else:
                other.order = len(labels) + 1
                other.save()


class QuestionAdd(QuestionEdit):
    adding = True


class QuestionRemove(ConsultationView):
    capability = "change_consultation"

    def get(self, request, slug, pk):
        question = get_object_or_404(Question, pk=pk, survey__partnership=self.partnership)
        return self.page("question_remove.html", {"question": question, "survey": question.survey,
                                                  "answers": question.answers.count()})

    def post(self, request, slug, pk):
        question = get_object_or_404(Question, pk=pk, survey__partnership=self.partnership)
        survey = question.survey
        try:
            question.delete()
        except ProtectedError:
            messages.success(request, "This question has answers, so it cannot be removed. Change its wording instead.")
            return redirect(survey.get_absolute_url())
        messages.success(request, f"Question {question.code} removed.")
        return redirect(survey.get_absolute_url())


class Kiosk(ConsultationView):
    capability = "enter_responses"

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        return self.page("kiosk.html", {"survey": survey, "events": survey.events.all()})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        if not survey.is_open():
            return self.page("kiosk.html", {"survey": survey, "events": survey.events.all(), "errors": [
                {"href": "", "message": "Drop-in mode can only start while the survey is open"}]})
        event = survey.events.filter(pk=id_or_404(request.POST.get("event"))).first()
        public.start_kiosk(request, survey, request.user, event.pk if event else None)
        return redirect(survey.public_url())


class PaperEntry(ConsultationView):
    """Paper questionnaires keyed in by officers: every question on one page, fast by keyboard."""

    capability = "enter_responses"

    def forms(self, survey, data=None):
        return [QuestionForm(q, data, prefix=q.code, paper=True) for q in survey.ordered_questions()]

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        return self.render_page(survey, self.forms(survey), ContactForm(prefix="contact"))

    def render_page(self, survey, forms, contact, errors=()):
        # One token per paper form keyed in: saving it twice (a double click) records it once.
        sending = public.paper_token(self.request.POST.get("sending")) or public.new_paper_token()
        return self.page("paper.html", {"survey": survey, "forms": forms, "contact": contact, "errors": list(errors),
                                         "entered": survey.responses.filter(channel=Channel.PAPER).count(),
                                         "sending": sending})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        sending = public.paper_token(request.POST.get("sending"))
        forms = self.forms(survey, request.POST)
        contact = ContactForm(request.POST, prefix="contact")
        valid = all([f.is_valid() for f in forms]) & contact.is_valid()
        if not valid:
            return self.render_page(survey, forms, contact, error_list(*forms, contact))
        answers = {f.question.code: f.value() for f in forms}
        if services.blank([f.question for f in forms], answers):
            return self.render_page(survey, forms, contact, [{"href": f"#{forms[0]['answer'].auto_id}" if forms else "",
                                                               "message": "The form has no answers: enter at least one answer, or do not enter a blank form"}])
        response = services.record(survey, services.Submission(
            answers=answers, channel=Channel.PAPER,
            client_key=f"paper:{request.user.pk}", contact_name=contact.cleaned_data["contact_name"],
            contact_email=contact.cleaned_data["contact_email"], extra={"entered_by": request.user},
            token=f"paper:{survey.pk}:{request.user.pk}:{sending}" if sending else None))
        messages.success(request, f"Paper response saved with reference {response.reference}. Enter the next one.")
        return redirect("consultation:paper", slug=slug, pk=pk)


class Responses(ConsultationView):
    capability = "review_responses"

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        status = request.GET.get("status", "")
        qs = survey.responses.order_by("-submitted_at", "-pk")
        if status in ResponseStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        counts = dict(survey.responses.values_list("status").annotate(n=Count("pk")))
        return self.page("responses.html", {"survey": survey, "page": page, "status": status,
                                            "statuses": [(v, label, counts.get(v, 0)) for v, label in ResponseStatus.choices]})


class ResponseDetail(ConsultationView):
    capability = "review_responses"

    def get_response(self, pk):
        return get_object_or_404(Response.objects.select_related("survey"), pk=pk, survey__partnership=self.partnership)

    def get(self, request, slug, pk, form=None):
        response = self.get_response(pk)
        survey = response.survey
        values = analysis.answers_by_code(response)
        rows = [{"question": q, "lines": public.answer_lines(q, values.get(q.code))} for q in survey.ordered_questions()]
        return self.page("response.html", {"response": response, "survey": survey, "rows": rows,
                                           "form": form or ReviewForm(initial={"status": "accepted"})})

    def post(self, request, slug, pk):
        response = self.get_response(pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self.get(request, slug, pk, form=form)
        response.status = form.cleaned_data["status"]
        response.review_note = form.cleaned_data["note"] or response.review_note
        response.save(update_fields=["status", "review_note"])
        messages.success(request, f"Response {response.reference}: {response.get_status_display().lower()}.")
        return redirect("consultation:responses", slug=slug, pk=response.survey_id)


class SurveyRecordPage:
    """A record of one survey (an engagement event, a representation, a petition), on the shared
    page bases. The survey comes from the URL (``pk``) on its list and add pages, and from the
    record on its edit page."""

    partnership_path = "survey__partnership"
    list_name = ""
    capability = "enter_responses"

    @cached_property
    def survey(self) -> Survey:
        obj = getattr(self, "object", None)
        if obj is not None and obj.pk:
            return obj.survey
        return get_object_or_404(Survey, partnership=self.partnership, pk=self.kwargs["pk"])

    def list_url(self):
        return reverse(f"consultation:{self.list_name}", kwargs={"slug": self.partnership.slug, "pk": self.survey.pk})

    def back_url(self, obj):
        return self.list_url()

    def caption(self):
        return self.survey.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Made-up example responses are labelled on every page about their survey.
        context.update(survey=self.survey, examples=analysis.example_responses(self.survey))
        return context


class SurveyRecordList(SurveyRecordPage, ListPage):
    def get_queryset(self):
        return super().get_queryset().filter(survey=self.survey)

    def back_url(self, obj):
        return self.survey.get_absolute_url()


class SurveyRecordAdd(SurveyRecordPage, CreatePage):
    def new_object(self):
        return self.model(survey=self.survey)

    def save(self, form):
        obj = form.save(commit=False)
        if hasattr(obj, "recorded_by_id"):
            obj.recorded_by = self.request.user
        obj.save()
        form.save_m2m()
        return obj

    def get_success_url(self):
        return self.list_url()


class SurveyRecordEdit(SurveyRecordPage, UpdatePage):
    def get_success_url(self):
        return self.list_url()


class EventPage:
    model = EngagementEvent
    form_class = EventForm
    noun = "engagement event"
    list_name = "events"


class Events(EventPage, SurveyRecordList):
    capability = "view"
    template_name = "consultation/events.html"


class EventAdd(EventPage, SurveyRecordAdd):
    pass


class EventEdit(EventPage, SurveyRecordEdit):
    pass


class RepresentationPage:
    capability = "handle_representations"
    model = Representation
    form_class = RepresentationForm
    noun = "representation"
    list_name = "representations"


class Representations(RepresentationPage, SurveyRecordList):
    template_name = "consultation/representations.html"


class RepresentationAdd(RepresentationPage, SurveyRecordAdd):
    pass


class RepresentationDetail(ConsultationView):
    capability = "handle_representations"

    def get(self, request, slug, pk):
        rep = get_object_or_404(Representation, pk=pk, survey__partnership=self.partnership)
        return self.page("representation.html", {"object": rep, "survey": rep.survey})


class RepresentationAttachment(ConsultationView):
    capability = "handle_representations"

    def get(self, request, slug, pk):
        rep = get_object_or_404(Representation, pk=pk, survey__partnership=self.partnership)
        if not rep.attachment:
            raise Http404("No attachment")
        return attachment(rep.attachment, rep.attachment.name.rsplit("/", 1)[-1])


class PetitionPage:
    model = Petition
    form_class = PetitionForm
    noun = "petition"
    list_name = "petitions"


class Petitions(PetitionPage, SurveyRecordList):
    capability = "view"
    template_name = "consultation/petitions.html"


class PetitionAdd(PetitionPage, SurveyRecordAdd):
    pass


class Analysis(ConsultationView):
    capability = "view_consultation_results"

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        result = analysis.analyse(survey)
        choices = analysis.crosstab_dimensions(survey)
        row, col = request.GET.get("row", ""), request.GET.get("col", "")
        crosstab = None
        error = ""
        if row or col:
            try:
                crosstab = analysis.crosstab(survey, row, col)
            except analysis.AnalysisError as exc:
                error = str(exc)
        return self.page("analysis.html", {
            "survey": survey, "result": result, "dimensions": choices, "row": row, "col": col,
            "crosstab": crosstab, "crosstab_error": error, "by_day": analysis.by_day(survey),
            "profile": analysis.census_profile(survey), "equality": analysis.equality_summary(survey),
            "threshold": CROSS_TABULATIONS.threshold, "equality_threshold": EQUALITY_ANSWERS.threshold,
        })


class Themes(ConsultationView):
    capability = "view_consultation_results"

    def get(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        return self.page("themes.html", {"survey": survey, "questions": themes.overview(survey)})


class ThemeCoding(ConsultationView):
    """The code frame of one free-text question: themes, suggestions and coding of answers."""

    capability = "review_responses"

    def get_question(self, pk):
        return get_object_or_404(Question, pk=pk, survey__partnership=self.partnership, type=QuestionType.TEXT)

    def get(self, request, slug, pk, errors=()):
        question = self.get_question(pk)
        answers = (Answer.objects.filter(question=question, response__status__in=analysis.COUNTED_STATUSES)
                   .exclude(text="").prefetch_related("themes").order_by("pk"))
        if request.GET.get("theme"):
            answers = answers.filter(themes__pk=id_or_404(request.GET["theme"]))
        if request.GET.get("uncoded"):
            answers = answers.filter(themes__isnull=True)
        page = Paginator(answers, 25).get_page(request.GET.get("page"))
        return self.page("theme_coding.html", {
            "question": question, "survey": question.survey, "page": page, "errors": list(errors),
            "themes": themes.counts(question),
            "suggestions": question.theme_suggestions.filter(status=ThemeSuggestion.Status.SUGGESTED),
            "filter_theme": request.GET.get("theme", ""), "uncoded": bool(request.GET.get("uncoded")),
        })

    def post(self, request, slug, pk):
        question = self.get_question(pk)
        action = request.POST.get("action")
        if action == "suggest":
            found = themes.suggest(question)
            messages.success(request, f"{len(found)} theme{'s' if len(found) != 1 else ''} suggested. "
                             "They are suggestions until you accept them." if found else
                             "Not enough answers to suggest themes yet (at least 10 are needed).")
        elif action in ("accept", "dismiss"):
            suggestion = get_object_or_404(ThemeSuggestion, pk=id_or_404(request.POST.get("suggestion")), question=question)
            if action == "accept":
                theme = themes.accept(suggestion, name=request.POST.get("name", "").strip()[:200] or suggestion.label)
                messages.success(request, f"Theme “{theme.name}” added and applied to {counted(theme.answers.count(), 'answer')}.")
            else:
                suggestion.status = ThemeSuggestion.Status.DISMISSED
                suggestion.save(update_fields=["status"])
                messages.success(request, "Suggestion dismissed.")
        elif action == "add":
            name = request.POST.get("name", "").strip()[:200]
            if not name:
                return self.get(request, slug, pk, errors=[{"href": "#theme-name", "message": "Enter a name for the theme"}])
            theme, created = Theme.objects.get_or_create(
                question=question, name=name, defaults={"description": request.POST.get("description", "")[:500]})
            messages.success(request, f"Theme “{theme.name}” {'added' if created else 'already exists'}.")
        elif action == "code":
            themes.apply_coding(question, request.POST)
            messages.success(request, "Coding saved.")
        return redirect(request.get_full_path())


class Import(ConsultationView):
    capability = "review_responses"

    def get(self, request, slug, pk, form=None):
        survey = self.survey_or_404(pk)
        return self.page("import.html", {"survey": survey, "form": form or ImportUploadForm(),
                                         "batches": survey.imports.all()[:20]})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, slug, pk, form=form)
        name, text = form.cleaned_data["file"]
        batch = ImportBatch.objects.create(survey=survey, filename=name[:200], content=text, uploaded_by=request.user,
                                           mapping=importer.guess_mapping(survey, text))
        return redirect("consultation:import-map", slug=slug, pk=batch.pk)


class ImportMap(ConsultationView):
    """Match the columns, then the job worker checks the file and imports it; this page shows its
    progress, its errors (with the mapping as it was) or its result."""

    capability = "review_responses"

    def get_batch(self, pk):
        return get_object_or_404(ImportBatch.objects.select_related("survey"), pk=pk, survey__partnership=self.partnership)

    def get(self, request, slug, pk):
        batch = self.get_batch(pk)
        return self.render_map(batch)

    def render_map(self, batch):
        return self.page("import_map.html", {
            "batch": batch, "survey": batch.survey, "columns": importer.columns_with_mapping(batch),
            "questions": batch.survey.ordered_questions(),
            "status_url": reverse("consultation:import-status", args=[self.partnership.slug, batch.pk]),
            "errors": [{"href": "", "message": e} for e in batch.errors[:50]],
        })

    def post(self, request, slug, pk):
        batch = self.get_batch(pk)
        if request.POST.get("action") == "retry":
            if batch.stalled:
                importer.retry_batch(batch)
            return redirect("consultation:import-map", slug=slug, pk=batch.pk)
        if batch.status != ImportBatch.Status.MAPPING:
            return self.already_imported(batch)
        mapping = importer.mapping_from_post(batch, request.POST)
        mapping["check_only"] = request.POST.get("action") != "import"
        try:
            queued = importer.queue_batch(batch, mapping)
        except OperationalError:  # SQLite: another request is importing this batch right now
            queued = False
        if not queued:
            return self.already_imported(batch)
        if batch.status == ImportBatch.Status.IMPORTED:
            messages.success(request, f"{counted(batch.rows, 'response')} imported from {batch.filename}.")
            return redirect("consultation:survey", slug=slug, pk=batch.survey_id)
        return redirect("consultation:import-map", slug=slug, pk=batch.pk)

    def already_imported(self, batch):
        messages.success(self.request, f"{batch.filename} has already been imported, or is being imported by another "
                         "request: it is imported once only, and nothing more was added.")
        return redirect("consultation:import", slug=self.partnership.slug, pk=batch.survey_id)


class ImportStatus(ConsultationView):
    capability = "review_responses"

    def get(self, request, slug, pk):
        batch = get_object_or_404(ImportBatch, pk=pk, survey__partnership=self.partnership)
        return JsonResponse(batch.status_dict())


class Report(ConsultationView):
    capability = "view_consultation_results"

    def get(self, request, slug, pk, fmt):
        survey = self.survey_or_404(pk)
        if fmt not in ("pdf", "docx", "html"):
            raise Http404
        if fmt == "html":
            return preview(outputs.report(survey))
        # PDF and Word are rendered by the job worker (one to two seconds of CPU), not here.
        return stored.response(request, stored_documents.key(survey, fmt),
                               title=f"The consultation report of {survey.title} ({fmt.upper()})",
                               back_url=survey.get_absolute_url(), back_text=f"Back to {survey.title}",
                               base_template="base.html", context={"partnership": self.partnership})


class Export(ConsultationView):
    capability = "review_responses"

    def get(self, request, slug, pk, fmt):
        survey = self.survey_or_404(pk)
        if fmt == "csv":
            body = outputs.responses_csv(survey)
        elif fmt == "xlsx":
            body = outputs.responses_xlsx(survey)
        else:
            raise Http404
        return attachment(body, f"{survey.slug}-responses-anonymised.{fmt}")


class Retention(ConsultationView):
    capability = "change_consultation"

    def get(self, request, slug, pk, form=None):
        survey = self.survey_or_404(pk)
        return self.page("retention.html", {"survey": survey, "form": form or ConfirmForm(),
                                            "log": survey.purges.all(), "pending": outputs.personal_data_counts(survey)})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return self.get(request, slug, pk, form=form)
        log = services.purge(survey, by=request.user, trigger="manual")
        messages.success(request, f"Personal data deleted: {sum(log.counts.values())} items. The deletion is logged.")
        return redirect("consultation:retention", slug=slug, pk=pk)


class Redactions(ConsultationView):
    """Personal data in free text and "Other" answers: what was found, redacted by staff with a
    record of who, when and what. Only managers see the original text of a redaction."""

    capability = "review_responses"

    def get(self, request, slug, pk, errors=(), typed=None):
        survey = self.survey_or_404(pk)
        found = redaction.flagged(survey, limit=200)
        rows = [{"answer": a, "kinds": [redaction.KIND_LABELS[k] for k in sorted({f.kind for f in findings})],
                 "suggested": (typed or {}).get(a.pk, redaction.masked(a.text))} for a, findings in found]
        see_originals = self.access.can("change_consultation")
        done = [{"question": r.answer.question.code, "text": r.answer.text, "by": r.redacted_by, "at": r.redacted_at,
                 "kinds": [redaction.KIND_LABELS[k] for k in r.kinds if k in redaction.KIND_LABELS],
                 "original": r.original if see_originals else ""}
                for r in (Redaction.objects.filter(answer__response__survey=survey)
                          .select_related("answer__question", "redacted_by").order_by("-redacted_at")[:200])]
        return self.page("redactions.html", {"survey": survey, "rows": rows, "done": done, "errors": list(errors),
                                             "see_originals": see_originals})

    def post(self, request, slug, pk):
        survey = self.survey_or_404(pk)
        answer = get_object_or_404(Answer, pk=request.POST.get("answer"), response__survey=survey)
        text = request.POST.get("text", "").strip()
        if not text:
            return self.get(request, slug, pk, errors=[
                {"href": f"#text-{answer.pk}", "message": "Enter the answer as it should read once redacted"}],
                typed={answer.pk: text})
        redaction.redact(answer, request.user, text[:answer._meta.get_field("text").max_length])
        messages.success(request, f"The answer to {answer.question.code} has been redacted. The original is kept "
                         "for managers until the personal data is deleted.")
        return redirect("consultation:redactions", slug=slug, pk=pk)
