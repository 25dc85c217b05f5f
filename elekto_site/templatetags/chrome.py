"""Tags for the parts of every page around its content (header, language switcher), which every request renders.

What they return depends only on the URL configuration and the language, so each is worked out once per process
and language rather than on every request.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, get_language_info

register = template.Library()


@lru_cache(maxsize=64)
def _reverse(name, prefix, urlconf):
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def nav_url(name):
    """``{% url name %}`` for a URL without arguments, reversed once per script prefix."""
    return _reverse(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=32)
def _language_options(current):
    options = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        options.append((info["code"], info["code"], " selected" if info["code"] == current else "",
                        info["name_local"]))
    return format_html_join("\n", '<option value="{}" lang="{}"{}>{}</option>', options)


@register.simple_tag
def language_options():
    """The language switcher's ``<option>`` list, the current language selected."""
    return _language_options(get_language())


@register.simple_tag
def javascript_catalog_url():
    """The JavaScript translation catalogue of the current language."""
    return format_html("{}?lang={}", nav_url("javascript_catalog"), get_language())
