"""Input readers, one module per format, chosen by name or by file extension.

A reader of interactions has `kind` 'sequences' (yields `(user, [item ids])` from `sequences()`,
items in time order, no timestamps) or 'events' (yields `Event`s from `events()`, any order);
`catalog()` yields `(item id, features)` for the items the input itself describes (MovieLens
titles, GA4 item names), or nothing. Catalogue readers yield `(item id, features)`.
Another format is one class and one `register` call; nothing else changes.
"""
import glob
import os

from .common import Event
from . import catalog, events, movielens, sequences

INTERACTIONS = {}
CATALOGS = {}


def register(table, name, reader, extensions=()):
    table[name] = (reader, tuple(extensions))


register(INTERACTIONS, 'sequences', sequences.SequenceFile, ('.txt',))
register(INTERACTIONS, 'csv', events.CsvEvents, ('.csv', '.tsv'))
register(INTERACTIONS, 'jsonl', events.JsonlEvents, ('.jsonl', '.ndjson', '.json'))
register(INTERACTIONS, 'movielens', movielens.MovieLens)
register(CATALOGS, 'csv', catalog.CsvCatalog, ('.csv', '.tsv'))
register(CATALOGS, 'jsonl', catalog.JsonlCatalog, ('.jsonl', '.ndjson'))
register(CATALOGS, 'item2attributes', catalog.Item2Attributes, ('.json',))


def _base(path):
    name = os.path.basename(path.rstrip('/'))
    return name[:-3] if name.endswith('.gz') else name


def _detect(table, path, fmt):
    if fmt and fmt != 'auto':
        if fmt not in table:
            raise ValueError(f'unknown format {fmt!r} (known: {", ".join(table)})')
        return table[fmt][0]
    if os.path.isdir(path) and os.path.exists(os.path.join(path, 'u.data')) and table is INTERACTIONS:
        return movielens.MovieLens
    base = _base(path).lower()
    for reader, extensions in table.values():
        if any(base.endswith(e) for e in extensions):
            return reader
    raise ValueError(f'cannot tell the format of {path}; pass --format')


def expand(paths):
    """Files of `paths`: files as given, folders' files sorted by name, glob patterns expanded.
    A MovieLens folder (holding u.data) stays one input."""
    out = []
    for p in paths:
        if os.path.isdir(p) and not os.path.exists(os.path.join(p, 'u.data')):
            out += sorted(os.path.join(p, f) for f in os.listdir(p) if not f.startswith('.'))
        elif any(c in p for c in '*?['):
            out += sorted(glob.glob(p))
        else:
            out.append(p)
    if paths and not out:
        raise ValueError(f'no input files in {paths}')
    return out


def interaction_readers(paths, fmt='auto', **options):
    return [_detect(INTERACTIONS, p, fmt)(p, **options) for p in expand(paths)]


def catalog_readers(paths, fmt='auto'):
    return [_detect(CATALOGS, p, fmt)(p) for p in expand(paths)]


__all__ = ['Event', 'interaction_readers', 'catalog_readers', 'register', 'INTERACTIONS', 'CATALOGS', 'expand']
