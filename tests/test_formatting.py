from cnn_lab.formatting import clock


def test_a_clock_reads_minutes_under_an_hour_and_hours_from_an_hour_on():
    assert clock(None) == "—"
    assert clock(0) == "0:00"
    assert clock(59.6) == "1:00"
    assert clock(754) == "12:34"
    assert clock(3599) == "59:59"
    assert clock(3600) == "1:00:00"
    assert clock(2 * 3600 + 5 * 60 + 7) == "2:05:07"
