"""The console's time filter: the viewer's local time with its neutral zone abbreviation and UTC beside it,
in winter (CET) and in summer (CEST), and the UTC day named when it is not the local one."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from hotline.console.templatetags.console_time import local_and_utc


def shown(moment, style="", zone="Europe/Skopje") -> str:
    with timezone.override(ZoneInfo(zone)):
        return str(local_and_utc(moment, style))


def test_a_winter_time_is_shown_in_cet_with_utc_beside_it():
    assert shown(datetime(2026, 12, 4, 0, 47, tzinfo=UTC)) == (
        '<time datetime="2026-12-04T00:47:00+00:00">04 Dec 2026 01:47 CET · 00:47 UTC</time>'
    )


def test_a_summer_time_is_shown_in_cest_two_hours_ahead_of_utc():
    assert ">15 Jul 2026 14:30:05 CEST · 12:30:05 UTC<" in shown(
        datetime(2026, 7, 15, 12, 30, 5, tzinfo=UTC), "seconds"
    )


def test_the_utc_side_names_its_day_when_it_is_not_the_local_one():
    assert ">01 Jan 2027 00:30 CET · 31 Dec 23:30 UTC<" in shown(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert ">00:30 CET · 23:30 UTC<" in shown(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "time")


def test_no_zone_label_names_a_city_and_nothing_is_shown_for_no_time():
    for zone in ("Europe/Belgrade", "Europe/Tirane", "Europe/Zagreb", "CET"):
        assert "CET · 00:47 UTC" in shown(datetime(2026, 12, 4, 0, 47, tzinfo=UTC), zone=zone)
    assert shown(None) == "" and shown("") == ""


def test_templates_load_the_filter_and_iso_strings_work_as_well_as_datetimes():
    template = Template('{% load console_time %}{{ when|local_and_utc:"time" }} {{ when|zone_abbreviation }}')
    with timezone.override(ZoneInfo("Europe/Podgorica")):
        assert template.render(Context({"when": "2026-07-01T10:00:00+00:00"})) == (
            '<time datetime="2026-07-01T10:00:00+00:00">12:00 CEST · 10:00 UTC</time> CEST'
        )
