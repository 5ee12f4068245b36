"""Free text: a code frame (themes) that staff build and apply to answers.

The system can suggest themes (TF-IDF and non-negative matrix factorisation, scikit-learn): a
suggestion is only a suggestion until a person accepts it, which makes it a theme and codes the
answers it was found in; staff can then change the coding answer by answer.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from . import redaction
from .models import COUNTED, Answer, Question, QuestionType, Survey, Theme, ThemeSuggestion

MIN_ANSWERS = 10
METHOD = "TF-IDF + NMF (scikit-learn)"


def _answers(question: Question):
    return Answer.objects.filter(question=question, response__status__in=COUNTED).exclude(text="")


def counts(question: Question) -> list[dict]:
    rows = (Theme.objects.filter(question=question)
            .annotate(n=Count("answers", filter=Q(answers__response__status__in=COUNTED))).order_by("-n", "name"))
    total = _answers(question).count()
    return [{"theme": t, "count": t.n, "percent": round(100 * t.n / total, 1) if total else 0.0} for t in rows]


def overview(survey: Survey) -> list[dict]:
    result = []
    for q in survey.ordered_questions().filter(type=QuestionType.TEXT):
        answers = _answers(q)
        result.append({"question": q, "answers": answers.count(),
                       "coded": answers.filter(themes__isnull=False).distinct().count(), "themes": counts(q)})
    return result


def suggest(question: Question, n_themes: int | None = None, top_terms: int = 6) -> list[ThemeSuggestion]:
    """Replace the question's open suggestions with new ones found in its answers."""
    rows = list(_answers(question).values_list("pk", "text"))
    if len(rows) < MIN_ANSWERS:
        return []
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = [pk for pk, _ in rows]
    # Names, addresses and the like never become a theme's words (theme names reach the report).
    texts = [redaction.PLACEHOLDER_PATTERN.sub(" ", redaction.masked(text)) for _, text in rows]
    vectoriser = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.8, ngram_range=(1, 2),
                                 max_features=5000, sublinear_tf=True)
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # nothing left after stop words
        return []
    terms = vectoriser.get_feature_names_out()
    k = n_themes or max(2, min(8, len(rows) // 15 or 2))
    k = min(k, matrix.shape[1], matrix.shape[0])
    if k < 1:
        return []
    model = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=400)
    weights = model.fit_transform(matrix)
    created = []
    with transaction.atomic():
        question.theme_suggestions.filter(status=ThemeSuggestion.Status.SUGGESTED).delete()
        for component in range(k):
            top = model.components_[component].argsort()[::-1][:top_terms]
            keywords = [str(terms[i]) for i in top if model.components_[component][i] > 0]
            if not keywords:
                continue
            members = [ids[row] for row in range(len(ids))
                       if weights[row].max() > 0 and weights[row].argmax() == component]
            if not members:
                continue
            label = ", ".join(keywords[:3])
            created.append(ThemeSuggestion.objects.create(
                question=question, label=label[:200], keywords=keywords, answer_ids=members, method=METHOD))
    return created


@transaction.atomic
def accept(suggestion: ThemeSuggestion, name: str) -> Theme:
    theme, _ = Theme.objects.get_or_create(question=suggestion.question, name=name,
                                           defaults={"description": "Suggested: " + ", ".join(suggestion.keywords)[:480],
                                                     "suggestion": suggestion})
    answers = Answer.objects.filter(pk__in=suggestion.answer_ids, question=suggestion.question)
    theme.answers.add(*answers)
    suggestion.status = ThemeSuggestion.Status.ACCEPTED
    suggestion.save(update_fields=["status"])
    return theme


@transaction.atomic
def apply_coding(question: Question, data) -> None:
    """Coding posted from a page of answers: each shown answer's themes and identifying flag."""
    themes = {str(t.pk): t for t in question.themes.all()}
    shown = [int(x) for x in data.getlist("answer_ids") if str(x).isdigit()]
    for answer in Answer.objects.filter(pk__in=shown, question=question):
        chosen = {themes[t] for t in data.getlist(f"themes-{answer.pk}") if t in themes}
        current = set(answer.themes.all())
        # Changed from the theme's side, so the theme's audit history records the coding.
        for theme in chosen - current:
            theme.answers.add(answer)
        for theme in current - chosen:
            theme.answers.remove(answer)
        identifying = data.get(f"identifying-{answer.pk}") == "on"
        if answer.identifying != identifying:
            answer.identifying = identifying
            answer.save(update_fields=["identifying"])
