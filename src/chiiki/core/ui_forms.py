"""Django's form rendering, made to draw every field with the page components (templates/ui/).

`settings.FORM_RENDERER` points here, so `{{ form }}` and `{{ form.field.as_field_group }}` use
`ui/forms/form.html` and `ui/forms/field.html` in every app without per-template work. A field may carry
three extra options, set on the field (`field.unit = "人"`) or as a widget data attribute
(`attrs={"data-unit": "人"}`):

- `unit`: shown beside the input (人, m², 年, 月, 円) and read out with it;
- `example`: an example value shown under the hint ("例: 緑川市本町1-2-3");
- `optional_marker`: show ※任意 on an optional field (the default shows nothing on optional fields).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import django.forms
from django.conf import settings
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates


def ui_option(field: django.forms.Field, name: str) -> str:
    """A component option of a form field: the field attribute, else the widget's `data-<name>` attribute."""
    value = getattr(field, name, None) or field.widget.attrs.get(f"data-{name}")
    return str(value) if value else ""


class UiBoundField(BoundField):
    """A bound field that knows its unit and example and points aria-describedby at every text about it."""

    @property
    def unit(self) -> str:
        """The unit shown beside the input, or ""."""
        return ui_option(self.field, "unit")

    @property
    def example(self) -> str:
        """An example value shown under the hint, or ""."""
        return ui_option(self.field, "example")

    @property
    def aria_describedby(self) -> str | None:
        """Hint, example, unit and error ids, in reading order (None when the widget sets its own)."""
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        if not self.auto_id or self.is_hidden:
            return ""
        ids = []
        if self.help_text:
            ids.append(f"{self.auto_id}_helptext")
        if self.example:
            ids.append(f"{self.auto_id}_example")
        if self.unit:
            ids.append(f"{self.auto_id}_unit")
        if self.errors:
            ids.append(f"{self.auto_id}_error")
        return " ".join(ids)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        """Django's attributes, less the component options (they are not HTML) and with a short box for units."""
        attrs = super().build_widget_attrs(attrs, widget)
        if self.unit:
            existing = (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = f"{existing} input--short".strip()
        return attrs


class UiFormRenderer(DjangoTemplates):
    """The project's form renderer: Django's widget templates plus the ui/ form and field templates."""

    form_template_name = "ui/forms/form.html"
    field_template_name = "ui/forms/field.html"
    bound_field_class = UiBoundField

    @cached_property
    def engine(self) -> Any:
        """A template engine that finds templates/ui/ and Django's own widget templates."""
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(settings.BASE_DIR) / "templates",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "chiiki-forms",
                "OPTIONS": {},
            }
        )
