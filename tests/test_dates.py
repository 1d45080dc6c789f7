"""queries.dates: presets, custom days and the UTC window of a range in a zone; and formatting."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from queries.dates import MAX_RANGE_DAYS, PRESETS, DateRange, RangeError, parse_day, preset_range, today_in, zone_info
from queries.formatting import fmt_change, fmt_int, fmt_share, fmt_usd, fmt_usd_small

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago",
         "America/Sao_Paulo"]  # Sao Paulo sprang forward at midnight for years: days without a 00:00
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
zones = st.sampled_from(ZONES)
presets = st.sampled_from([p for p in PRESETS if p != "custom"])


# --- presets ---------------------------------------------------------------------------------

@given(preset=presets, today=days, tz=zones)
def test_every_preset_ends_no_later_than_today_and_keeps_the_zone(preset, today, tz):
    rng = preset_range(preset, today, tz)
    assert rng.start <= rng.end <= today
    assert rng.tz == tz
    assert rng.days == (rng.end - rng.start).days + 1


@given(today=days, n=st.sampled_from([7, 30, 90]))
def test_last_n_days_is_n_days_ending_today(today, n):
    rng = preset_range(f"{n}d", today)
    assert (rng.days, rng.end) == (n, today)


@given(today=days)
def test_today_and_yesterday_are_single_days(today):
    assert (preset_range("today", today).start, preset_range("today", today).end) == (today, today)
    yesterday = preset_range("yesterday", today)
    assert yesterday.start == yesterday.end == today - timedelta(days=1)


@given(today=days)
def test_this_month_runs_from_the_first_to_today(today):
    rng = preset_range("this-month", today)
    assert (rng.start, rng.end) == (date(today.year, today.month, 1), today)


@given(today=days)
def test_last_month_is_the_whole_previous_calendar_month(today):
    rng = preset_range("last-month", today)
    assert rng.start.day == 1
    assert rng.end + timedelta(days=1) == date(today.year, today.month, 1)
    assert (rng.start.year, rng.start.month) == (rng.end.year, rng.end.month)


def test_last_month_in_january_is_december_of_the_year_before():
    rng = preset_range("last-month", date(2026, 1, 15))
    assert (rng.start, rng.end) == (date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize("preset", ["custom", "14d", "", "TODAY"])
def test_preset_without_days_of_its_own_is_a_range_error(preset):
    with pytest.raises(RangeError):
        preset_range(preset, date(2026, 3, 20))


# --- DateRange ----------------------------------------------------------------------------

def test_from_after_until_is_a_range_error_that_says_so():
    with pytest.raises(RangeError, match="after"):
        DateRange(date(2026, 3, 21), date(2026, 3, 20))


def test_range_longer_than_ten_years_is_a_range_error():
    DateRange(date(2000, 1, 1), date(2000, 1, 1) + timedelta(days=MAX_RANGE_DAYS - 1))
    with pytest.raises(RangeError):
        DateRange(date(2000, 1, 1), date(2000, 1, 1) + timedelta(days=MAX_RANGE_DAYS))


def test_utc_window_of_a_utc_range_is_midnight_to_midnight_after_the_last_day():
    assert DateRange(date(2026, 3, 20), date(2026, 3, 22)).utc_window() == (
        datetime(2026, 3, 20), datetime(2026, 3, 23))


def test_utc_window_of_a_berlin_day_across_the_spring_change_is_23_hours():
    # Berlin: UTC+1 until 02:00 on 29 March 2026, then UTC+2.
    start, end = DateRange(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin").utc_window()
    assert (start, end) == (datetime(2026, 3, 28, 23), datetime(2026, 3, 29, 22))


def local_day(instant: datetime, tz: str) -> date:
    return instant.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()


@given(first=days, length=st.integers(min_value=1, max_value=40), tz=zones)
@example(first=date(2018, 11, 4), length=1, tz="America/Sao_Paulo")   # 00:00 did not exist that day
@example(first=date(2018, 11, 3), length=1, tz="America/Sao_Paulo")
@example(first=date(2019, 2, 16), length=2, tz="America/Sao_Paulo")   # the autumn change: 23:00 happened twice
@example(first=date(2026, 10, 4), length=1, tz="Australia/Lord_Howe")  # a 30-minute change
def test_utc_window_holds_exactly_the_instants_whose_local_day_is_in_the_range(first, length, tz):
    rng = DateRange(first, first + timedelta(days=length - 1), tz)
    start, end = rng.utc_window()
    assert start.tzinfo is None and end.tzinfo is None and start < end
    tick = timedelta(microseconds=1)
    assert rng.start <= local_day(start, tz) <= rng.end
    assert rng.start <= local_day(end - tick, tz) <= rng.end
    assert rng.start <= local_day(start + (end - start) / 2, tz) <= rng.end
    assert local_day(start - tick, tz) < rng.start
    assert local_day(end, tz) > rng.end


@given(first=days, length=st.integers(min_value=2, max_value=40), tz=zones)
@example(first=date(2018, 11, 2), length=4, tz="America/Sao_Paulo")
def test_day_windows_tile_the_range_window_without_gaps_or_overlaps(first, length, tz):
    rng = DateRange(first, first + timedelta(days=length - 1), tz)
    singles = [DateRange(d, d, tz).utc_window() for d in (first + timedelta(days=i) for i in range(length))]
    assert (singles[0][0], singles[-1][1]) == rng.utc_window()
    for (_, end_of_one), (start_of_next, _) in zip(singles, singles[1:]):
        assert end_of_one == start_of_next


@given(first=days, length=st.integers(min_value=1, max_value=60), tz=zones)
def test_previous_range_has_the_same_length_and_ends_the_day_before(first, length, tz):
    rng = DateRange(first, first + timedelta(days=length - 1), tz)
    prev = rng.previous()
    assert (prev.days, prev.end + timedelta(days=1), prev.tz) == (rng.days, rng.start, tz)


def test_previous_of_the_first_calendar_day_does_not_overflow():
    assert DateRange(date.min, date.min).previous() == DateRange(date.min, date.min)


def test_utc_window_at_the_end_of_the_calendar_does_not_overflow():
    start, end = DateRange(date.max, date.max, "Pacific/Kiritimati").utc_window()
    assert start < end


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "UTC+5"])
def test_unknown_zone_is_a_range_error_with_a_readable_message(name):
    with pytest.raises(RangeError, match="Unknown time zone"):
        zone_info(name)


def test_today_in_a_zone_uses_that_zones_calendar():
    now = datetime(2026, 3, 20, 23, 30, tzinfo=timezone.utc)
    assert (today_in("UTC", now), today_in("Asia/Tokyo", now), today_in("America/Denver", now)) == (
        date(2026, 3, 20), date(2026, 3, 21), date(2026, 3, 20))


@pytest.mark.parametrize("text", ["2026-3-20", "20-03-2026", "2026-02-30", "tomorrow", "", "2026-03-20T00:00"])
def test_day_not_written_yyyy_mm_dd_is_a_range_error_naming_the_field(text):
    with pytest.raises(RangeError, match="--from"):
        parse_day(text, "--from")


@given(day=st.dates(min_value=date(1000, 1, 1)))  # four-digit years: what YYYY-MM-DD can write
def test_parse_day_reads_back_any_iso_day(day):
    assert parse_day(day.isoformat()) == day


# --- formatting ------------------------------------------------------------------------------

@given(value=st.integers(min_value=-(10 ** 15), max_value=10 ** 15))
def test_fmt_int_reads_back_to_the_same_integer(value):
    text = fmt_int(value)
    assert int(text.replace(",", "")) == value
    assert all(len(group) == 3 for group in text.lstrip("-").split(",")[1:])


def test_fmt_int_groups_thousands():
    assert fmt_int(33247237) == "33,247,237"


@given(value=st.floats(min_value=1e-9, max_value=1e9))
def test_fmt_usd_is_within_half_a_hundredth_of_a_cent(value):
    text = fmt_usd(value)
    assert text.startswith("$")
    assert abs(float(text[1:].replace(",", "")) - value) <= 0.00005 + 1e-9 * value


def test_fmt_usd_of_zero_is_zero_dollars_and_negative_has_its_sign_first():
    assert (fmt_usd(0.0), fmt_usd(443.86354), fmt_usd(-1.5)) == ("$0.00", "$443.8635", "-$1.50")


@given(value=st.floats(min_value=1e-12, max_value=1e6))
def test_fmt_usd_small_never_rounds_a_cost_to_zero_and_keeps_two_significant_digits(value):
    text = fmt_usd_small(value)
    shown = float(text[1:].replace(",", ""))
    assert shown > 0
    if value < 1:
        assert abs(shown - value) <= 0.05 * value
    else:
        assert abs(shown - value) <= 0.005 + 1e-12 * value


@given(share=st.floats(min_value=0, max_value=1))
def test_fmt_share_is_a_whole_percentage_within_half_a_point(share):
    text = fmt_share(share)
    assert text.endswith("%") and abs(int(text[:-1]) - share * 100) <= 0.5


def test_fmt_share_of_no_total_is_empty():
    assert fmt_share(None) == ""


@given(current=st.floats(min_value=0, max_value=1e9), previous=st.floats(min_value=1e-3, max_value=1e9))
def test_fmt_change_is_the_signed_percentage_change(current, previous):
    text = fmt_change(current, previous)
    assert text is not None and text[0] in "+-" and text.endswith("%")
    assert abs(float(text[:-1]) - (current - previous) / previous * 100) <= 0.05 + 1e-9 * abs(current / previous)


def test_fmt_change_from_zero_is_none():
    assert fmt_change(5, 0) is None


def test_a_zone_name_too_long_for_the_file_system_is_an_unknown_zone():
    """tzdata looks the name up as a file: a 5,000-character name raised OSError (ENAMETOOLONG),
    a traceback in the CLI (Hypothesis find in test_hostile, Dec 1)."""
    with pytest.raises(RangeError, match="Unknown time zone"):
        zone_info("x" * 5000)
