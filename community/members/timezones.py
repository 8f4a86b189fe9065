"""The time-zone picker: common zones grouped by region, each with its offset now (not 600 raw ids).

Any valid zone is still accepted (the model's choices hold them all); the picker offers the ones
people live in, plus the member's own if it is not among them.
"""

import zoneinfo
from datetime import datetime

from django.utils.translation import gettext_lazy as _

ALL_ZONES = frozenset(zoneinfo.available_timezones())

COMMON_ZONES = [
    (_("Europe"), [
        "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Brussels",
        "Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome", "Europe/Vienna", "Europe/Prague",
        "Europe/Warsaw", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Tallinn",
        "Europe/Riga", "Europe/Vilnius", "Europe/Kaliningrad", "Europe/Minsk", "Europe/Kyiv", "Europe/Chisinau",
        "Europe/Bucharest", "Europe/Sofia", "Europe/Athens", "Europe/Istanbul", "Europe/Belgrade", "Europe/Budapest",
        "Europe/Moscow", "Europe/Samara", "Europe/Volgograd",
    ]),
    (_("Asia"), [
        "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk",
        "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Baku",
        "Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek", "Asia/Dushanbe", "Asia/Jerusalem", "Asia/Beirut",
        "Asia/Dubai", "Asia/Riyadh", "Asia/Tehran", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu",
        "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong",
        "Asia/Taipei", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Asia/Ulaanbaatar",
    ]),
    (_("America"), [
        "America/St_Johns", "America/Halifax", "America/Toronto", "America/New_York", "America/Chicago",
        "America/Winnipeg", "America/Denver", "America/Edmonton", "America/Phoenix", "America/Los_Angeles",
        "America/Vancouver", "America/Anchorage", "Pacific/Honolulu", "America/Mexico_City", "America/Guatemala",
        "America/Bogota", "America/Lima", "America/Caracas", "America/Santiago", "America/Argentina/Buenos_Aires",
        "America/Sao_Paulo", "America/Montevideo", "America/Havana", "America/Puerto_Rico",
    ]),
    (_("Africa"), [
        "Africa/Casablanca", "Africa/Algiers", "Africa/Lagos", "Africa/Cairo", "Africa/Khartoum", "Africa/Nairobi",
        "Africa/Addis_Ababa", "Africa/Johannesburg", "Africa/Accra",
    ]),
    (_("Australia and Pacific"), [
        "Australia/Perth", "Australia/Darwin", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney",
        "Australia/Melbourne", "Australia/Hobart", "Pacific/Auckland", "Pacific/Fiji", "Pacific/Guam",
    ]),
    (_("Atlantic and Indian Ocean"), [
        "Atlantic/Reykjavik", "Atlantic/Azores", "Atlantic/Canary", "Indian/Maldives", "Indian/Mauritius",
    ]),
    (_("Universal"), ["UTC"]),
]


def _offset(name: str, now: datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def _label(name: str, now: datetime) -> str:
    place = name.rsplit("/", 1)[-1].replace("_", " ")
    return f"{place} (UTC{_offset(name, now)})"


def _west_to_east(names, now: datetime) -> list[str]:
    return sorted((name for name in names if name in ALL_ZONES), key=lambda name: (int(_offset(name, now).replace(":", "")), name))


def picker_choices(current: str | None = None) -> list:
    """Grouped choices for a <select>: regions, each zone as "City (UTC+03:00)" by today's offset, west to east."""
    now = datetime.now(zoneinfo.ZoneInfo("UTC"))
    groups = [(region, [(name, _label(name, now)) for name in _west_to_east(names, now)]) for region, names in COMMON_ZONES]
    offered = {name for _region, names in groups for name, _label_text in names}
    if current and current in ALL_ZONES and current not in offered:
        groups.insert(0, (_("Your time zone"), [(current, _label(current, now))]))
    return groups
