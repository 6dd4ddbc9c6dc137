"""Partner and activity links, written from a once-reversed URL: the same as reverse()."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from partners.links import exchange_url, partner_url


@pytest.mark.parametrize("language", ["ko", "en"])
def test_partner_and_activity_links_are_what_reverse_gives_in_each_language(language):
    with translation.override(language):
        assert partner_url("kharkiv") == reverse("partners:city-detail", args=["kharkiv"])
        assert partner_url("new-york_2") == f"/{language}/partners/new-york_2/"
        assert exchange_url(42) == reverse("partners:exchange-detail", args=[42])


def test_links_follow_the_script_prefix_of_a_site_served_under_a_path():
    set_script_prefix("/portal/")
    try:
        with translation.override("en"):
            assert partner_url("kharkiv") == "/portal/en/partners/kharkiv/"
            assert exchange_url(7) == "/portal/en/exchanges/7/"
    finally:
        clear_script_prefix()
    with translation.override("en"):
        assert partner_url("kharkiv") == "/en/partners/kharkiv/"


def test_a_slug_the_url_cannot_carry_is_refused_as_reverse_refuses_it():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        partner_url("two words")
