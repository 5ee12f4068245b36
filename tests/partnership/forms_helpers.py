"""Read a rendered page's form as a browser would, so a test posts exactly what a person could."""
from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, form_index):
        super().__init__()
        self.form_index = form_index
        self.forms_seen = -1
        self.inside = False
        self.fields: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms_seen += 1
            self.inside = self.forms_seen == self.form_index
            return
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            self.fields.append({"tag": "input", "type": a.get("type", "text"), "name": a["name"],
                                "value": a.get("value", "on" if a.get("type") == "checkbox" else ""),
                                "checked": "checked" in a, "label": ""})
        elif tag == "select" and a.get("name"):
            self._select = {"tag": "select", "type": "select", "name": a["name"], "options": [], "value": None}
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a or self._select["value"] is None:
                self._select["value"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"tag": "textarea", "type": "textarea", "name": a["name"], "value": ""}
            self.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def form_fields(html: str, form_index: int = 0) -> list[dict]:
    """The controls of the page's n-th POST form (the first is usually the sign-out button)."""
    parser = _Form(form_index)
    parser.feed(html)
    return parser.fields


def main_form_fields(html: str) -> list[dict]:
    """The controls of the POST form that has the most of them: the page's own form."""
    best: list[dict] = []
    for index in range(html.count("<form")):
        fields = form_fields(html, index)
        if len(fields) > len(best):
            best = fields
    return best


def as_posted(fields: list[dict]) -> dict[str, list[str]]:
    """What the browser sends for these controls as they stand: checked boxes, selected options."""
    data: dict[str, list[str]] = {}
    for f in fields:
        if f["type"] in ("radio", "checkbox") and not f["checked"]:
            continue
        if f["type"] in ("submit", "button", "file"):
            continue
        data.setdefault(f["name"], []).append(f["value"] or "")
    return data
