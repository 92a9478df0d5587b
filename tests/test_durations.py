from bot.durations import WEEKS_PER_MONTH, from_iso, in_days, to_iso


def test_iso_durations_both_ways():
    assert to_iso(5, "W") == "P5W" and from_iso("P5W") == (5, "W")
    assert to_iso(1.5, "W") == "P10D" and to_iso(0.5, "M") == "P15D"
    assert from_iso("P-3W") == (-3, "W") and from_iso("five weeks") is None


def test_one_table_of_unit_lengths():
    assert in_days(2, "W") == 14 and round(in_days(1, "Y")) == 365
    assert round(WEEKS_PER_MONTH, 2) == 4.35
