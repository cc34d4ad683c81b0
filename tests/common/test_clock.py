import datetime as dt

from backend.common import clock


def test_the_demo_clock_runs_a_whole_number_of_days_off_the_wall_clock(settings):
    real = clock.local_today("Asia/Shanghai")
    settings.BANGFU_CLOCK_OFFSET_DAYS = -3000
    assert clock.local_today("Asia/Shanghai") == real - dt.timedelta(days=3000)
    settings.BANGFU_CLOCK_OFFSET_DAYS = 0
    assert clock.local_today("Asia/Shanghai") == real
