"""Dates, times, numbers and legal citations as the reader's language writes them
(anbao.i18n filters)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string, session
from flask_babel import refresh

from anbao.i18n import cite

SHANGHAI = ZoneInfo("Asia/Shanghai")


def render(app, language, source, **values):
    with app.test_request_context():
        session["lang"] = language
        refresh()
        return render_template_string(source, **values)


@pytest.mark.parametrize("language, day, moment, number", [
    ("zh_CN", "2027年3月1日", "2027年3月1日 09:05", "12,345.5"),
    ("en", "Mar 1, 2027", "Mar 1, 2027 09:05", "12,345.5")])
def test_dates_times_and_numbers_follow_the_language(app, language, day, moment, number):
    values = {"d": date(2027, 3, 1), "t": datetime(2027, 3, 1, 9, 5, tzinfo=SHANGHAI),
              "n": 12345.5}
    assert render(app, language, "{{ d|day }}", **values) == \
        f'<time datetime="2027-03-01">{day}</time>'
    assert render(app, language, "{{ t|moment }}", **values) == \
        f'<time datetime="2027-03-01T09:05+08:00">{moment}</time>'
    assert render(app, language, "{{ '2027-03-01'|day_text }} {{ n|number }}", **values) == \
        f"{day} {number}"
    assert render(app, language, "{{ _('Overdue since %(date)s', date=d|day) }}", **values) \
        .count(f'<time datetime="2027-03-01">{day}</time>') == 1  # kept whole in messages
    assert render(app, language, "{{ none|day }}|{{ none|moment_text }}", none=None) == "—|"


def test_citations_name_the_laws_in_english_and_keep_the_chinese_as_written(app):
    assert cite("GZ-(九)(十); 预案办法 Art 33", "en") == "GZ-(9)(10); Plan Measures Art 33"
    assert cite("GZ-(二十二); 421号 Art 19", "en") == "GZ-(22); Decree 421 Art 19"
    assert cite("GZ-(十一); 反恐怖主义法 Art 32", "en") == \
        "GZ-(11); Counter-Terrorism Law Art 32"
    assert cite("GZ-(六)3(1)", "en") == "GZ-(6)3(1)"
    assert cite("GZ-(九)(十); 预案办法 Art 33", "zh") == "GZ-(九)(十); 预案办法 Art 33"
    assert render(app, "en", "{{ c|cite }}", c="GZ-(十七)") == "GZ-(17)"
    assert render(app, "zh_CN", "{{ c|cite }}", c="GZ-(十七)") == "GZ-(十七)"
