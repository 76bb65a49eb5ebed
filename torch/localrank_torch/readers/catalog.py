"""Item catalogues: CSV or JSON Lines with `item_id` and any of `category` (a path, `>`-separated
in CSV, or a list), `category2`..`category5`, `brand`, `price`, `title` (or `name`, `text`),
`tags` (`|`-separated in CSV, or a list); or an S3-Rec `item2attributes` JSON
(`{"<item id>": [attribute id, ...]}`), whose attributes become tags."""
import csv
import json

from .common import category_path, clean_price, clean_strings, clean_text, open_text

ID_KEYS = ('item_id', 'id', 'item', 'itemId', 'product_id')
TEXT_KEYS = ('title', 'name', 'text', 'item_name')


def _first(row, keys):
    for k in keys:
        v = row.get(k)
        if v is not None and v != '':
            return v
    return None


def features_of(row, list_separator=None):
    out = {}
    category = category_path(_first(row, ('category', 'item_category')))
    extra = clean_strings(row.get(k) for k in ('category2', 'category3', 'category4', 'category5'))
    if category or extra:
        out['category'] = (category or []) + extra
    text = clean_text(_first(row, TEXT_KEYS))
    if text:
        out['text'] = text
    brand = clean_strings([_first(row, ('brand', 'item_brand'))])
    if brand:
        out['brand'] = brand[0]
    price = clean_price(row.get('price'))
    if price is not None:
        out['price'] = price
    tags = row.get('tags')
    if isinstance(tags, str) and list_separator:
        tags = tags.split(list_separator)
    if isinstance(tags, list):
        tags = clean_strings(tags)
        if tags:
            out['tags'] = tags
    return out or None


class CsvCatalog:
    def __init__(self, path):
        self.path = path

    def items(self):
        with open_text(self.path) as f:
            dialect = 'excel-tab' if self.path.endswith(('.tsv', '.tsv.gz')) else 'excel'
            for row in csv.DictReader(f, dialect=dialect):
                item = _first(row, ID_KEYS)
                if item is not None:
                    yield str(item).strip(), features_of(row, '|')


class JsonlCatalog:
    def __init__(self, path):
        self.path = path

    def items(self):
        with open_text(self.path) as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                item = _first(row, ID_KEYS) if isinstance(row, dict) else None
                if item is not None:
                    yield str(item).strip(), features_of(row)


class Item2Attributes:
    def __init__(self, path):
        self.path = path

    def items(self):
        with open_text(self.path) as f:
            mapping = json.load(f)
        for item, attributes in mapping.items():
            tags = clean_strings(attributes if isinstance(attributes, list) else [attributes])
            yield str(item), ({'tags': tags} if tags else None)
