"""The walkthrough's parts: every page from the URL resolver with its parameters filled from the demo data,
the internal codes that must never be shown as words, and the layout checks run inside the page.

tests/browser/test_walkthrough.py drives them; they are kept here so that each stays small and readable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils import translation
from tests.url_routes import routes_where

from chiiki.core.models import AuditEvent, Municipality, Role

# Routes that are no page: actions reached by a form's POST, files, machine interfaces.
NOT_PAGES = re.compile(
    r"^/(api/|i18n/|healthz|catalog\.|catalog$)"
    r"|/logout/$|/text-size/$"
    r"|\.(csv|json|geojson|jsonld|ttl|rdf)$|/download/?$"
)
PARAMETER = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>[a-z_]+)>")


# The pages of an app not walked yet, one line per app (`"app": r"route pattern"`), for a new app whose pages
# do not pass yet; an entry keeps the app's pages out of the walk and must say why. Every app is walked now.
NOT_YET_WALKED: dict[str, str] = {}
_NOT_YET_WALKED = re.compile("|".join(f"(?:{p})" for p in NOT_YET_WALKED.values()) or r"(?!)")

# CHIIKI_WALK_ROUTES narrows a walk to the routes it matches (a regular expression), so that one app's pages can
# be walked in a minute while they are being fixed; the full walk in CI leaves it unset.
_ONLY = re.compile(os.environ.get("CHIIKI_WALK_ROUTES", ""))


def page_routes() -> list[str]:
    """Every route of the URL configuration that is a page a person opens (GET, HTML)."""
    return routes_where(
        lambda route: (
            NOT_PAGES.search(route) is None
            and _NOT_YET_WALKED.search(route) is None
            and _ONLY.search(route) is not None
        )
    )


# ------------------------------------------------------------------------------------------ parameters


@dataclass
class DemoValues:
    """Values for URL parameters, found in the demo data; `by_segment` names the object an `<int:pk>` means
    from the path segment before it (``talent/needs/<int:pk>/`` is a need)."""

    by_name: dict[str, str] = field(default_factory=dict)
    by_segment: dict[str, str] = field(default_factory=dict)
    # Parameters of a route that follow a named segment (``assist/<case_id>``) rather than their own name.
    by_segment_and_name: dict[tuple[str, str], str] = field(default_factory=dict)
    # Values for the routes a pattern matches, before all others (an app run by another body than the demo town:
    # the cyber app's `<code>` is the prefecture's).
    by_route: dict[str, dict[str, str]] = field(default_factory=dict)
    # A query string some pages need to show anything (the contract form names the person it is for).
    queries: dict[str, str] = field(default_factory=dict)

    def value(self, previous_segment: str, name: str, route: str = "") -> str | None:
        for pattern, named in self.by_route.items():
            if name in named and re.search(pattern, route):
                return named[name]
        if (previous_segment, name) in self.by_segment_and_name:
            return self.by_segment_and_name[(previous_segment, name)]
        if name == "pk":
            return self.by_segment.get(previous_segment)
        return self.by_name.get(name)


def fill(route: str, values: DemoValues) -> tuple[str | None, str]:
    """The route with its parameters filled, or None and the parameter no demo value fits."""
    url = route
    for match in PARAMETER.finditer(route):
        before = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        value = values.value(before, match.group("name"), route)
        if value is None:
            return None, f"{match.group(0)} after '{before}/'"
        url = url.replace(match.group(0), value, 1)
    return url + values.queries.get(route, ""), ""


def first_pk(model: type[Model], **filters: Any) -> str | None:
    """The smallest primary key of `model` matching `filters`, as text, or None."""
    pk = model._default_manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return None if pk is None else str(pk)


def pk_of(label: str, **filters: Any) -> str | None:
    """`first_pk` of the model named "app.Model"."""
    return first_pk(apps.get_model(label), **filters)


# ------------------------------------------------------------------------------------------ internal codes

CODE = re.compile(r"^[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)*$")


@dataclass(frozen=True)
class KnownCode:
    """An internal code and the words it stands for; `compound` codes (with _ . or -) are never English words."""

    code: str
    labels: frozenset[str]

    @property
    def compound(self) -> bool:
        return any(mark in self.code for mark in "_.-")


def _labels(label: Any) -> frozenset[str]:
    out = set()
    for language in ("ja", "en"):
        with translation.override(language):
            out.add(str(label))
    return frozenset(out)


def model_choices() -> Iterable[tuple[Any, Any]]:
    """Every (value, label) of every model field with choices, and every role."""
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            yield from getattr(model_field, "flatchoices", None) or ()
    yield from Role.choices


def known_codes(extra: Iterable[tuple[str, Any]] = ()) -> list[KnownCode]:
    """Codes that must not be shown as words: model choices, roles, audit event names, `extra` (label maps of
    the apps, questionnaire page names). A code whose label is the code itself is left out."""
    labelled: dict[str, set[str]] = {}
    pairs = [*model_choices(), *extra]
    pairs += [(action, _audit_label(action)) for action in audit_actions()]
    for value, label in pairs:
        if isinstance(value, str) and len(value) >= 3 and CODE.match(value):
            labelled.setdefault(value, set()).update(_labels(label))
    return [
        KnownCode(code, frozenset(labels))
        for code, labels in sorted(labelled.items())
        if all(text.strip().lower() != code for text in labels)
    ]


def audit_actions() -> set[str]:
    """Every audit event name: those the code can write (the label catalogue) and those in the database."""
    from chiiki.core.audit_events import event_labels

    return set(event_labels()) | set(AuditEvent.objects.values_list("action", flat=True).distinct())


def _audit_label(action: str) -> Any:
    from chiiki.core.audit_events import event_label

    return event_label(action)


def codes_in(text: str, codes: list[KnownCode], *, language: str) -> list[str]:
    """The known codes that stand as words in `text`; single-word codes only on Japanese pages, where an
    English word is not expected."""
    found = []
    for known in codes:
        if not known.compound and language != "ja":
            continue
        if known.code not in text:
            continue
        pattern = rf"(?<![A-Za-z0-9_.\-/@:]){re.escape(known.code)}(?![A-Za-z0-9_\-/@])"
        if re.search(pattern, text):
            found.append(known.code)
    return found


# ------------------------------------------------------------------------------------------ layout

# Runs in the page: sideways scroll, and text wrapped into a column narrower than four characters (three or
# more lines, none wider than 4 em for Japanese or 2.4 em for Latin text).
LAYOUT_SCRIPT = """() => {
  const result = {scrolls: document.documentElement.scrollWidth > window.innerWidth + 1, narrow: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && result.narrow.length < 5) {
    const text = node.textContent.trim();
    if ([...text].length < 4) continue;
    const el = node.parentElement;
    if (!el || el.closest('svg, script, style, noscript, template, [aria-hidden="true"]')) continue;
    if (el.getBoundingClientRect().width < 3) continue;  // visually hidden text (clipped to 1 px)
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    const lines = new Set(rects.map(r => Math.round(r.top)));
    if (lines.size < 3) continue;
    const size = parseFloat(getComputedStyle(el).fontSize) || 16;
    const japanese = /[\\u3040-\\u30ff\\u3400-\\u9fff]/.test(text);
    const widest = Math.max(...rects.map(r => r.width));
    if (widest < (japanese ? 4 : 2.4) * size) {
      const tag = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '');
      result.narrow.push(`${tag} "${text.slice(0, 24)}" ${Math.round(widest)}px wide on ${lines.size} lines`);
    }
  }
  return result;
}"""


def layout_problems(page: Any) -> list[str]:
    """Sideways scrolling and too narrow text columns on the page as it is shown now."""
    result = page.evaluate(LAYOUT_SCRIPT)
    problems = []
    if result["scrolls"]:
        width = page.evaluate("document.documentElement.scrollWidth")
        problems.append(f"scrolls sideways ({width}px wide)")
    problems += [f"text column narrower than 4 characters: {n}" for n in result["narrow"]]
    return problems


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_problems(page: Any, axe_script: str) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page."""
    page.evaluate("(source) => { (0, eval)(source); }", axe_script)
    result = page.evaluate(
        # Only violations are gathered (not passes): several times faster on a long page.
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# ------------------------------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Finding:
    route: str
    url: str
    who: str
    language: str
    width: int
    problem: str

    def line(self) -> str:
        return f"{self.route} ({self.url}) as {self.who}, {self.language}, {self.width}px: {self.problem}"


def demo_town(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


Check = Callable[[Any], list[str]]


# ------------------------------------------------------------------------------------------ the demo's values


def demo_values(demo: Any) -> DemoValues:
    """URL parameter values from the loaded demo: its town, census, registry, talent bank and the walk's extras."""
    from chiiki.surveys.answering.drafts import form_of

    town, survey = demo.municipality, demo.survey.survey
    values = DemoValues()
    values.by_name.update(
        {
            "code": town.code,
            "survey_id": str(survey.pk),
            "household_id": pk_of("registry.Household", municipality=town) or "",
            "name": _dataset_name(town),
            "run_id": pk_of("linkage.LinkageRun", municipality=town) or "",
            "page": form_of(survey).pages()[0].name,
            "assignment_id": _open_assignment(town) or "",
        }
    )
    values.by_name = {k: v for k, v in values.by_name.items() if v}
    case = pk_of("linkage.LinkCase", run__municipality=town, record_id="R2")
    if case:
        values.by_segment_and_name[("cases", "case_id")] = case
    helpdesk_case = pk_of("surveys.SurveyCase", survey=survey, login_id=demo.survey.keys[1][0])
    if helpdesk_case:
        values.by_segment_and_name[("assist", "case_id")] = helpdesk_case
    assignment_case = _open_assignment(town, case=True)
    if assignment_case:
        values.by_segment_and_name[("enumerate", "case_id")] = assignment_case
    refused_upload = pk_of("opendata.Upload", municipality=town)
    if refused_upload:
        values.by_segment_and_name[("uploads", "upload_id")] = refused_upload
    values.by_segment.update(_talent_values())
    answered = _answered_assignment_case(town)
    if answered:
        values.by_route[re.escape("/staff/m/<str:code>/surveys/enumerate/<str:case_id>/receipt/")] = {
            "case_id": answered
        }
    accepted = _accepted_profile()
    if accepted:
        values.queries["/talent/organizations/<int:pk>/contracts/new/"] = f"?profile={accepted}"
    if getattr(demo, "cyber", None) is not None:
        values.by_route[r"/cyber/"] = _cyber_values(demo.cyber.prefecture)
    values.by_name.update(_procedures_values(town))
    values.by_name.update(_coverage_values(town))
    infosafety = _infosafety_values(town)
    values.by_name.update(infosafety.by_name)
    values.by_segment_and_name.update(infosafety.by_segment_and_name)
    return values


def _cyber_values(prefecture: Municipality) -> dict[str, str]:
    """The cyber app's parameters: the prefecture running the service, the demo hospital (a body with alerts),
    one of its alerts and a CLEAR advisory."""
    found = {
        "code": prefecture.code,
        "body_id": pk_of("cyber.Body", municipality=prefecture, kind="hospital"),
        "alert_id": pk_of("cyber.Alert", municipality=prefecture, body__kind="hospital"),
        "advisory_id": pk_of("cyber.Advisory", municipality=prefecture, tlp="CLEAR"),
    }
    return {name: pk for name, pk in found.items() if pk}


def _coverage_values(town: Municipality) -> dict[str, str]:
    """The coverage app's resident pages name the town `town`; a report's 受付番号 and id, and the challenge,
    from the demo."""
    from chiiki.coverage.models import DeadZoneReport

    report = DeadZoneReport.objects.filter(municipality=town).order_by("pk").first()
    found = {"town": town.code}
    if report is not None:
        found |= {"reference": report.reference, "report_id": str(report.pk)}
    challenge = pk_of("coverage.Challenge", municipality=town)
    if challenge:
        found["challenge_id"] = challenge
    return found


def _infosafety_values(town: Municipality) -> DemoValues:
    """The fact-check desk's area, a published claim, the screened file and the report to the Hotline Center;
    `<str:step>` is a form's target (POST only), filled so that the walk sees it answer no page."""
    found = DemoValues()
    claim = pk_of("infosafety.Claim", municipality=town, status="published")
    if claim:
        found.by_name.update({"area": town.code, "claim_id": claim, "step": "assign"})
    batch = pk_of("infosafety.ScreeningBatch", municipality=town)
    if batch:
        found.by_segment_and_name[("batches", "batch_id")] = batch
    takedown = pk_of("infosafety.TakedownReport", municipality=town, capture_type="image/png")
    if takedown:  # one with a capture, so its download and the report's ZIP answer
        found.by_segment_and_name[("takedowns", "report_id")] = takedown
    screenshot = pk_of("infosafety.Report", municipality=town, screenshot_type="image/png")
    if screenshot:
        found.by_segment_and_name[("reports", "report_id")] = screenshot
    mode = pk_of("infosafety.WatchMode", municipality=town)
    if mode:
        found.by_name["mode_id"] = mode
    archived = pk_of("infosafety.Source", municipality=town, archive_type="application/pdf")
    if archived:
        found.by_name["source_id"] = archived
    return found


def _dataset_name(town: Municipality) -> str:
    from chiiki.opendata.models import Dataset

    return (
        Dataset.objects.filter(organization__municipality=town)
        .order_by("pk")
        .values_list("name", flat=True)
        .first()
        or ""
    )


def _open_assignment(town: Municipality, *, case: bool = False) -> str | None:
    """An unsettled follow-up visit of the demo enumerator (its id, or its case's id)."""
    from chiiki.fieldwork.models import FollowUpAssignment

    assignment = (
        FollowUpAssignment.objects.filter(municipality=town, area__enumerator__username="demo-enumerator")
        .exclude(outcome__in=["refused", "vacant", "answered"])
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return None
    return str(assignment.case_id if case else assignment.pk)


def _answered_assignment_case(town: Municipality) -> str | None:
    """A household on the demo enumerator's list that has answered (its receipt can be shown)."""
    from chiiki.fieldwork.models import FollowUpAssignment

    case_id = (
        FollowUpAssignment.objects.filter(
            municipality=town,
            area__enumerator__username="demo-enumerator",
            case__answer__receipt_number__isnull=False,
        )
        .order_by("pk")
        .values_list("case_id", flat=True)
        .first()
    )
    return None if case_id is None else str(case_id)


def _procedures_values(town: Municipality) -> dict[str, str]:
    """The procedures app's parameters: a procedure, the demo allowance, its run, a notice, a payment file."""
    found = {
        "town": town.code,
        "procedure_code": "kaigo-nintei",  # open without the card, so the walk sees its form (児童手当 needs the card)
        "allowance_id": pk_of("procedures.Allowance", municipality=town),
        "eligibility_run_id": pk_of("procedures.EligibilityRun", municipality=town),
        "entitlement_id": pk_of("procedures.Entitlement", municipality=town, status="notified"),
        "batch_id": pk_of("procedures.PaymentBatch", municipality=town),
        "application_id": pk_of("procedures.Application", municipality=town),
        "help_point_id": pk_of("procedures.HelpPoint", municipality=town, slots__isnull=False),
        "slot_id": pk_of("procedures.HelpSlot", help_point__municipality=town),
    }
    return {name: value for name, value in found.items() if value}


def _talent_values() -> dict[str, str]:
    """`<int:pk>` after each talent-bank segment: the demo person's and the demo company's own things."""
    found = {
        "profiles": pk_of("talent.TalentProfile", user__username="demo-talent"),
        "organizations": pk_of("talent.Organization", members__user__username="demo-company"),
        "needs": pk_of("talent.Need", organization__members__user__username="demo-company"),
        "introductions": pk_of("talent.Introduction", profile__user__username="demo-talent")
        or pk_of("talent.Introduction"),
        "contracts": pk_of("sidejob.SideJobContract", worker__user__username="demo-talent")
        or pk_of("sidejob.SideJobContract"),
        "hours-models": pk_of("sidejob.ManagementAgreement", worker__user__username="demo-talent")
        or pk_of("sidejob.ManagementAgreement"),
    }
    return {segment: pk for segment, pk in found.items() if pk}


def _accepted_profile() -> str | None:
    """A person whose introduction the demo company accepted: the one its contract form is for."""
    from chiiki.talent.models import Organization
    from chiiki.talent.queries import accepted_introductions

    company = Organization.objects.filter(members__user__username="demo-company").order_by("pk").first()
    accepted = accepted_introductions(company) if company else []
    return str(accepted[0].profile_id) if accepted else None


def extra_codes(demo: Any) -> list[tuple[str, Any]]:
    """Codes the apps label outside model choices: the questionnaire's page names and the apps' label maps."""
    from chiiki.evidence import analysis
    from chiiki.linkage import evidence
    from chiiki.surveys.answering.drafts import form_of

    pairs: list[tuple[str, Any]] = [
        (page.name, page.name.upper()) for page in form_of(demo.survey.survey).pages()
    ]
    for labels in (evidence.REASON_TEXT, evidence.LEVEL_TEXT, analysis.MODE_LABELS, analysis.PATH_LABELS):
        pairs += list(labels.items())
    pairs += list(getattr(analysis, "GROUP_LABELS", {}).items())
    pairs += list(getattr(analysis, "ESTIMATE_LABELS", {}).items())
    return pairs
