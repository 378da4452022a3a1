"""How templates show a contact address: a phone number grouped for reading aloud in a `tel:` link, an
e-mail address in a `mailto:` link (the escaping is Django's: `format_html`)."""

from django import template
from django.utils.html import format_html

from accounts.choices import ContactMethod
from accounts.phones import E164, dialable, spoken

register = template.Library()


@register.filter
def tel_link(number: str):
    if not number:
        return ""
    if not E164.match(dialable(number)):
        return number  # not a number a phone can dial: shown as written
    return format_html('<a href="tel:{}" class="tel">{}</a>', dialable(number), spoken(number))


@register.filter
def mailto_link(address: str):
    if not address:
        return ""
    return format_html('<a href="mailto:{}" class="mailto">{}</a>', address, address)


@register.filter
def contact_link(point):
    """A contact point's address as the link its method takes (phone and SMS dial, e-mail writes)."""
    if point.method in (ContactMethod.PHONE, ContactMethod.SMS):
        return tel_link(point.address)
    if point.method == ContactMethod.EMAIL:
        return mailto_link(point.address)
    return point.address
