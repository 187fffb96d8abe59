"""Working days (工作日) for the time limits of leads.

The State Council's holiday schedule (holidays and the weekend days worked in exchange, 调休) comes from
`chinesecalendar`, a maintained package that ships the schedule of each year once it is published. For a
year the package does not know yet, the pack's [monitoring.calendar] lists hold; without them Monday to
Friday count as working days (the due date may then fall one holiday too early, never too late).
"""

from __future__ import annotations

import datetime

import chinese_calendar

from jingzhun.policy import Monitoring


def is_working_day(day: datetime.date, standards: Monitoring) -> bool:
    if day in standards.holidays:
        return False
    if day in standards.workdays:
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no schedule for
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int, standards: Monitoring) -> datetime.date:
    """The `days`-th working day after `start` (the day a lead came in does not count)."""
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, standards):
            counted += 1
    return day
