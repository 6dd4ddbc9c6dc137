from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Continent, Country, Kind, Status, localized_name

# Django's message repeats the rejected value, which may be 100 KB long.
NOT_A_CHOICE = {"invalid_choice": _("That is not one of the choices.")}


class CityFilterForm(forms.Form):
    """The public list's GET filters; an invalid field is reported and ignored, and neither
    its message nor its input shows the rejected value again."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Relationship"), required=False, error_messages=NOT_A_CHOICE)
    continent = forms.ChoiceField(label=_("Continent"), required=False, error_messages=NOT_A_CHOICE)
    country = forms.ChoiceField(label=_("Country"), required=False, error_messages=NOT_A_CHOICE)
    status = forms.ChoiceField(label=_("Status"), required=False, error_messages=NOT_A_CHOICE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        # The model labels are lower case to sit mid-sentence ("a sister city"); a menu
        # option starts a line. capfirst stays lazy, so each request gets its language.
        for field, choices in (("kind", Kind), ("continent", Continent), ("status", Status)):
            self.fields[field].choices = any_choice + [
                (value, capfirst(label)) for value, label in choices.choices
            ]
        name = localized_name("name")
        # Only countries that have a published partner, so no choice leads to an empty page.
        countries = (
            Country.objects.filter(cities__is_published=True)
            .distinct()
            .order_by(name)
            .values_list("iso_code", name)
        )
        self.fields["country"].choices = any_choice + list(countries)

    def valid_filters(self) -> dict[str, str]:
        """The filters that passed validation, even when another one did not."""
        if not self.is_valid():
            self.data = self.data.copy()
            for name in self.errors:
                self.data[name] = ""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value and name not in self.errors
        }
