"""Date ranges: the page's presets, custom From/Until days, and their UTC windows.

A range is a pair of inclusive calendar days in a display zone (UTC unless the user picks
another IANA zone). Queries filter on UTC instants, so each range becomes the half-open
window [From 00:00, Until+1 00:00) in that zone, converted to naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Preset key (as it appears in shared links) -> label shown in the toolbar.
PRESETS: dict[str, str] = {
    "today": "Today",
    "yesterday": "Yesterday",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "this-month": "This month",
    "last-month": "Last month",
    "custom": "Custom",
}
DEFAULT_PRESET = "30d"
# Longest range we chart: ten years of days. A longer one (year 1 to 9999, say) would ask
# for millions of day buckets and is never what a person meant.
MAX_RANGE_DAYS = 3660


class RangeError(ValueError):
    """A date range that cannot be used; the message says why, for people."""


@dataclass(frozen=True)
class DateRange:
    """Inclusive calendar days `start`..`end` in zone `tz`."""

    start: date
    end: date
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise RangeError(f"From ({self.start}) is after Until ({self.end}).")
        if self.days > MAX_RANGE_DAYS:
            raise RangeError(f"The range spans {self.days:,} days; the longest supported is {MAX_RANGE_DAYS:,} (ten years).")

    @property
    def days(self) -> int:
        """Number of calendar days in the range, both ends counted."""
        return (self.end - self.start).days + 1

    def utc_window(self) -> tuple[datetime, datetime]:
        """Naive UTC instants [start, end) covering the range's days in its zone."""
        zone = zone_info(self.tz)
        return (_local_midnight_utc(self.start, zone), _local_midnight_utc(self.end, zone, days_after=1))

    def whole_utc_hours(self) -> bool:
        """Whether every day boundary of the range (its From 00:00 to Until+1 00:00, in its zone)
        falls on a whole UTC hour, so hourly UTC buckets never straddle two of its days."""
        return _whole_utc_hours(self.start, self.end, self.tz)

    def previous(self) -> "DateRange":
        """The range of the same length that ends the day before this one starts.

        At the very start of the calendar (year 1) there is no such range; the first day stands in.
        """
        try:
            return DateRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.tz)
        except OverflowError:
            return DateRange(date.min, date.min, self.tz)


@lru_cache(maxsize=4096)
def _whole_utc_hours(start: date, end: date, tz: str) -> bool:
    if tz == "UTC":
        return True
    zone = zone_info(tz)
    for offset in range((end - start).days + 2):
        moment = _local_midnight_utc(start, zone, days_after=offset)
        if moment in (datetime.min, datetime.max):
            continue
        if moment.minute or moment.second or moment.microsecond:
            return False
    return True


def _local_midnight_utc(day: date, zone: ZoneInfo, days_after: int = 0) -> datetime:
    """Midnight at the start of `day + days_after` in `zone`, as naive UTC.

    Past the ends of `date`, the window is clamped to datetime's own limits.
    """
    try:
        day = day + timedelta(days=days_after)
        local = datetime(day.year, day.month, day.day, tzinfo=zone)
        return local.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:
        return datetime.max if days_after else datetime.min


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone `name`, or RangeError with a readable message."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a name too long for a file name
        raise RangeError(f"Unknown time zone {name!r}; use an IANA name such as UTC or Europe/Berlin.") from None


def today_in(tz: str, now: datetime | None = None) -> date:
    """The current calendar day in zone `tz` (`now` is for tests)."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(zone_info(tz)).date()


def preset_range(preset: str, today: date, tz: str = "UTC") -> DateRange:
    """The days a preset covers when it is `today` in `tz` (custom has no days of its own)."""
    if preset == "today":
        return DateRange(today, today, tz)
    if preset == "yesterday":
        yesterday = today - timedelta(days=1)
        return DateRange(yesterday, yesterday, tz)
    if preset in ("7d", "30d", "90d"):
        days = int(preset[:-1])
        return DateRange(today - timedelta(days=days - 1), today, tz)
    if preset == "this-month":
        return DateRange(today.replace(day=1), today, tz)
    if preset == "last-month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return DateRange(last_day.replace(day=1), last_day, tz)
    raise RangeError(f"Unknown range {preset!r}; use one of {', '.join(PRESETS)}.")


def parse_day(text: str, what: str = "date") -> date:
    """A YYYY-MM-DD string as a date, or RangeError naming the field."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise RangeError(f"{what} must be a date written YYYY-MM-DD, not {text!r}.") from None
