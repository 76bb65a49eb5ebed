"""Interaction events, one per row, in any order: CSV (`user_id,item_id,timestamp[,event_type]`,
with a header) and JSON Lines (the same keys, or GA4 BigQuery export rows: `event_name`,
`event_timestamp` in microseconds, `user_pseudo_id`, `items`). Impressions are dropped: the
engine's user tower never reads them. Rows that cannot be read are counted, not fatal."""
import csv
import json

from .common import Event, category_path, clean_price, clean_strings, clean_text, event_type, open_text, time_ms

USER_KEYS = ('user_id', 'user', 'userId', 'user_pseudo_id', 'visitor_id')
ITEM_KEYS = ('item_id', 'item', 'itemId', 'product_id')
TIME_KEYS = ('timestamp', 'time', 'ts', 'event_timestamp')
TYPE_KEYS = ('event_type', 'type', 'event', 'event_name')
DEFAULT_TYPE = 'click'


def _first(row, keys):
    for k in keys:
        v = row.get(k)
        if v is not None and v != '':
            return v
    return None


def _event(row, stats):
    user, item, when = _first(row, USER_KEYS), _first(row, ITEM_KEYS), time_ms(_first(row, TIME_KEYS))
    kind = event_type(_first(row, TYPE_KEYS), DEFAULT_TYPE)
    if user is None or item is None or when is None or kind is None:
        stats['skipped'] += 1
        return None
    if kind == 'impression':
        stats['impressions'] += 1
        return None
    return Event(str(user), str(item), when, kind)


def ga4_features(item):
    """An item's features as src/page/datalayer.ts reads a GA4 `items` entry."""
    out = {}
    category = clean_strings(item.get(k) for k in ('item_category', 'item_category2', 'item_category3', 'item_category4', 'item_category5'))
    if category:
        out['category'] = category
    price = clean_price(item.get('price'))
    if price is not None:
        out['price'] = price
    brand = clean_strings([item.get('item_brand')])
    if brand:
        out['brand'] = brand[0]
    name = clean_text(item.get('item_name'))
    if name:
        out['text'] = name
    return out or None


class CsvEvents:
    kind = 'events'
    timestamps = True

    def __init__(self, path, **_options):
        self.path = path
        self.stats = {'skipped': 0, 'impressions': 0}

    def events(self):
        with open_text(self.path) as f:
            dialect = 'excel-tab' if self.path.endswith(('.tsv', '.tsv.gz')) else 'excel'
            for row in csv.DictReader(f, dialect=dialect):
                e = _event(row, self.stats)
                if e:
                    yield e

    def catalog(self):
        return iter(())


class JsonlEvents:
    kind = 'events'
    timestamps = True

    def __init__(self, path, **_options):
        self.path = path
        self.stats = {'skipped': 0, 'impressions': 0}
        self.features = {}

    def events(self):
        with open_text(self.path) as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    self.stats['skipped'] += 1
                    continue
                if not isinstance(row, dict):
                    self.stats['skipped'] += 1
                elif isinstance(row.get('items'), list) and 'event_name' in row:
                    yield from self._ga4(row)
                else:
                    e = _event(row, self.stats)
                    if e:
                        yield e

    def _ga4(self, row):
        user = _first(row, ('user_id', 'user_pseudo_id'))
        when = time_ms(row.get('event_timestamp'))
        kind = event_type(row.get('event_name'), None)
        if user is None or when is None or kind is None:
            self.stats['skipped'] += 1
            return
        for item in row['items']:
            item_id = item.get('item_id') if isinstance(item, dict) else None
            if item_id is None or item_id == '':
                continue
            item_id = str(item_id).strip()
            if item_id not in self.features:
                features = ga4_features(item)
                if features:
                    self.features[item_id] = features
            if kind == 'impression':
                self.stats['impressions'] += 1
                continue
            yield Event(str(user), item_id, when, kind)

    def catalog(self):
        """Features of the items GA4 rows described (read after `events()`)."""
        return iter(self.features.items())
