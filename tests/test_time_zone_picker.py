"""The time-zone picker lists the zones people live in, by region, with their offsets (issue 10, point 12)."""

import re

from django.urls import reverse

from community.members.timezones import picker_choices


def test_settings_offer_common_zones_by_region(client, member):
    client.force_login(member)
    page = client.get(reverse("members:settings")).content.decode()
    select = re.search(r'<select name="timezone".*?</select>', page, re.S).group(0)
    regions = re.findall(r'<optgroup label="([^"]+)"', select)
    assert regions[:3] == ["Europe", "Asia", "America"]
    options = re.findall(r"<option ", select)
    assert 100 <= len(options) <= 150  # not the 600 raw ids
    assert re.search(r'<option value="Europe/Moscow">Moscow \(UTC\+03:00\)</option>', select)


def test_a_member_keeps_a_zone_outside_the_common_list(client, member):
    member.timezone = "Asia/Novokuznetsk"
    member.save(update_fields=["timezone"])
    client.force_login(member)
    page = client.get(reverse("members:settings")).content.decode()
    assert re.search(r'<optgroup label="Your time zone">\s*<option value="Asia/Novokuznetsk" selected>', page)


def test_zones_run_west_to_east_within_a_region():
    europe = picker_choices()[0][1]
    offsets = [int(label.rsplit("UTC", 1)[1].rstrip(")").replace(":", "")) for _name, label in europe]
    assert offsets == sorted(offsets)


def test_saving_a_zone_from_the_picker_and_refusing_a_made_up_one(client, member):
    client.force_login(member)
    data = {"display_name": "", "language": "en", "timezone": "Asia/Tokyo", "bio": ""}
    assert client.post(reverse("members:settings"), data).status_code == 302
    member.refresh_from_db()
    assert member.timezone == "Asia/Tokyo"
    response = client.post(reverse("members:settings"), {**data, "timezone": "Mars/Olympus"})
    assert response.status_code == 200 and "timezone" in response.context["form"].errors
    member.refresh_from_db()
    assert member.timezone == "Asia/Tokyo"
