"""What the readers share: opening (gzip-aware), event types, timestamps and feature cleaning."""
import datetime
import gzip
import math
from collections import namedtuple

from ..config import MAX_TEXT_LENGTH
from ..features import js_slice, js_trim

Event = namedtuple('Event', 'user item time type')

# GA4 e-commerce names as src/page/datalayer.ts maps them, plus localrank's own names.
EVENT_NAMES = {
    'view_item': 'view',
    'select_item': 'click',
    'view_item_list': 'impression',
    'impression': 'impression',
    'view': 'view',
    'click': 'click',
    'add_to_cart': 'add_to_cart',
    'remove_from_cart': 'remove_from_cart',
    'purchase': 'purchase',
}


def open_text(path, encoding='utf-8'):
    if path.endswith('.gz'):
        return gzip.open(path, 'rt', encoding=encoding, newline='')
    return open(path, encoding=encoding, newline='')


def event_type(name, default):
    """localrank's type of an event name, or None for names it does not know."""
    if name is None or name == '':
        return default
    return EVENT_NAMES.get(str(name).strip().lower())


def time_ms(value):
    """Milliseconds since the epoch from seconds, milliseconds or microseconds (told apart by
    magnitude) or an ISO 8601 string (UTC unless it says otherwise). None when unreadable."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            try:
                when = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
            except ValueError:
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
            return when.timestamp() * 1000
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if abs(value) < 1e11:
        return float(value) * 1000
    if abs(value) < 1e14:
        return float(value)
    return float(value) / 1000


def clean_text(value):
    """A title as the device keeps it: at most LIMITS.maxTextLength UTF-16 units."""
    if not isinstance(value, str) or not value.strip():
        return None
    return js_slice(value, MAX_TEXT_LENGTH)


def clean_price(value):
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def clean_strings(values):
    out = [js_trim(str(v)) for v in values if v is not None and not isinstance(v, (dict, list))]
    return [v for v in out if v]


def category_path(value):
    """A category path: a list as given, or a string split at '>' (as `data-lr-category`)."""
    if value is None:
        return None
    if isinstance(value, list):
        path = clean_strings(value)
    else:
        path = clean_strings(str(value).split('>'))
    return path or None
