"""Validate and normalise the dates pages give: ISO 8601 kept as written, others made ISO.

Bad dates (0000-00-00, month 13, year 20190, "yesterday") give None, never an exception.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

# Years outside this range are typos or placeholders, not publication dates.
MIN_YEAR = 1000
MAX_YEAR = 2200
# The schema's date pattern: what may be output as written.
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$"
)
_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/")


def _valid_parts(match: re.Match[str]) -> bool:
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        return False
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second or 0) > 60):
        return False
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        if int(digits[:2]) > 14 or int(digits[2:]) > 59:
            return False
    return True


def normalise_date(value: object) -> str | None:
    """An ISO 8601 date(-time) string for ``value``, or None when it is not a plausible date.

    ISO 8601 input is kept as written (a space between date and time becomes "T"); RFC 2822
    dates ("Sat, 13 Jul 2019 10:00:00 +0200") are converted.

    >>> normalise_date("2019-07-13T10:00:00+02:00")
    '2019-07-13T10:00:00+02:00'
    >>> normalise_date("2019-07-13 10:00:00")
    '2019-07-13T10:00:00'
    >>> normalise_date("Sat, 13 Jul 2019 10:00:00 +0200")
    '2019-07-13T10:00:00+02:00'
    >>> [normalise_date(v) for v in ("0000-00-00", "20190-01-01", "2019-13-01", None, "soon")]
    [None, None, None, None, None]
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    match = _ISO_RE.match(text)
    if match:
        return text.replace(" ", "T", 1) if _valid_parts(match) else None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    return parsed.isoformat()


def date_from_url(url: str) -> str | None:
    """The date of a dated permalink (/YYYY/MM/DD/), as "YYYY-MM-DD", or None.

    >>> date_from_url("https://example.org/2019/07/13/a-post/")
    '2019-07-13'
    """
    match = _URL_DATE_RE.search(url)
    if not match:
        return None
    return normalise_date("-".join(match.groups()))
