"""Weekdays and months by name in the hub's languages, for what people read or hear: the hours sentences, the
pages, spoken answers (one table; schema.org's DayOfWeek identifiers are schemaorg.DAY_NAMES)."""

from __future__ import annotations

DAY_NAMES = {"de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
             "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
DAY_SHORT = {"de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),  # as visitors write them, not OSM's "Tu", "Su"
             "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTH_NAMES = {"de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                      "November", "Dezember"),
               "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")}
