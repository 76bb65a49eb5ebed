"""A MovieLens 100K folder: `u.data` (user, item, rating, unix seconds) and `u.item` (latin-1,
`|`-separated id, title, ... genre flags) with `u.genre`; titles and genres become features,
exactly as src/training/data/dataset.ts reads them."""
import os

from .common import Event, open_text


class MovieLens:
    kind = 'events'
    timestamps = True

    def __init__(self, path, **_options):
        self.path = path
        self.stats = {'skipped': 0, 'impressions': 0}

    def _genres(self):
        rows = []
        with open_text(os.path.join(self.path, 'u.genre'), 'latin-1') as f:
            for line in f:
                p = line.rstrip('\r\n').split('|')
                if len(p) == 2 and p[0]:
                    rows.append((int(p[1]), p[0]))
        return [name for _, name in sorted(rows)]

    def catalog(self):
        genres = self._genres()
        with open_text(os.path.join(self.path, 'u.item'), 'latin-1') as f:
            for line in f:
                p = line.rstrip('\r\n').split('|')
                if len(p) < 5 + len(genres):
                    continue
                flags = p[5 : 5 + len(genres)]
                category = [g for g, flag in zip(genres, flags) if flag == '1' and g != 'unknown']
                yield p[0], {'category': category, 'text': p[1]}

    def events(self):
        with open_text(os.path.join(self.path, 'u.data'), 'latin-1') as f:
            for line in f:
                p = line.split()
                if len(p) < 4:
                    continue
                yield Event(p[0], p[1], float(p[3]) * 1000, 'click')
