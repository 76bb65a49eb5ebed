"""The training corpus: every user's interactions as flat arrays on disk, memory-mapped by each
worker, built once per input (streaming, in bounded memory) and cached.

Layout of a corpus folder:
  meta.json          name, counts, whether times are real, reader statistics
  item_ids.json      item ids; row r of the model's table is item_ids[r - 1] (first appearance order)
  tokens.json        content tokens of each row (`featureTokens`), when there is a catalogue
  vocabulary.json    sorted distinct tokens of the whole catalogue
  items.i32 times.f64 types.u8   events of all users, each user's in time order
  offsets.i64        user u's events are [offsets[u], offsets[u + 1])

Sequence files are appended as they are read. Events (any order) are first spread over partition
files by a hash of the user, then each partition is grouped and sorted on its own, so memory is
bounded by the partition size, not the log. User ids are not kept.
"""
import hashlib
import json
import os
import shutil
import zlib

import numpy as np

from .config import EVENT_TYPES, SYNTHETIC_GAP_MS, SYNTHETIC_START_MS
from .features import MAX_ATTRIBUTES, MAX_CATEGORIES, MAX_TAGS, feature_tokens, js_sort_key, limit_features

# 2: features cut to the engine's limits (limit_features).
VERSION = 2
TYPE_INDEX = {t: i for i, t in enumerate(EVENT_TYPES)}


class _ArrayWriter:
    def __init__(self, folder):
        self.files = {
            'items': open(os.path.join(folder, 'items.i32'), 'wb'),
            'times': open(os.path.join(folder, 'times.f64'), 'wb'),
            'types': open(os.path.join(folder, 'types.u8'), 'wb'),
        }
        self.offsets = open(os.path.join(folder, 'offsets.i64'), 'wb')
        self.offsets.write(np.zeros(1, '<i8').tobytes())
        self.events = 0
        self.users = 0

    def add(self, rows, times, types):
        self.files['items'].write(np.asarray(rows, '<i4').tobytes())
        self.files['times'].write(np.asarray(times, '<f8').tobytes())
        self.files['types'].write(np.asarray(types, 'u1').tobytes())
        self.events += len(rows)
        self.users += 1
        self.offsets.write(np.array([self.events], '<i8').tobytes())

    def close(self):
        for f in [*self.files.values(), self.offsets]:
            f.close()


class _Partitions:
    """Events spread over `count` text files by a hash of the user id."""

    def __init__(self, folder, count):
        self.paths = [os.path.join(folder, f'part-{i:04d}.tsv') for i in range(count)]
        self.files = [open(p, 'w', encoding='utf-8') for p in self.paths]

    def add(self, user, row, time, kind):
        user = user.replace('\t', ' ').replace('\n', ' ')
        self.files[zlib.crc32(user.encode()) % len(self.files)].write(f'{user}\t{row}\t{time!r}\t{kind}\n')

    def drain(self, writer):
        for f in self.files:
            f.close()
        for path in self.paths:
            users, rows, times, kinds = [], [], [], []
            with open(path, encoding='utf-8') as f:
                for line in f:
                    u, r, t, k = line.rstrip('\n').split('\t')
                    users.append(u)
                    rows.append(int(r))
                    times.append(float(t))
                    kinds.append(int(k))
            os.remove(path)
            if not users:
                continue
            names, user_index = np.unique(np.array(users), return_inverse=True)
            if all(n.isdigit() for n in names):
                rank = np.argsort(np.array([int(n) for n in names]), kind='stable')
                position = np.empty_like(rank)
                position[rank] = np.arange(len(rank))
                user_index = position[user_index]
            rows, times, kinds = np.array(rows), np.array(times), np.array(kinds)
            # Each user's events by time, ties by item row (as the Node MovieLens reader).
            order = np.lexsort((rows, times, user_index))
            user_sorted = user_index[order]
            bounds = np.flatnonzero(np.diff(user_sorted)) + 1
            for chunk in np.split(order, bounds):
                writer.add(rows[chunk], times[chunk], kinds[chunk])


def fingerprint(paths, catalogs, options):
    h = hashlib.sha256(json.dumps({'v': VERSION, 'options': options}, sort_keys=True).encode())
    for p in [*paths, '|', *catalogs]:
        h.update(p.encode())
        if os.path.exists(p):
            for root, _, files in os.walk(p) if os.path.isdir(p) else [(os.path.dirname(p), None, [os.path.basename(p)])]:
                for name in sorted(files):
                    st = os.stat(os.path.join(root, name))
                    h.update(f'{name}:{st.st_size}:{st.st_mtime_ns}'.encode())
    return h.hexdigest()[:16]


def build(readers, catalog_readers, folder, name, partition_bytes=64 << 20, log=print):
    """Builds the corpus into `folder` (created through a temporary folder and a rename)."""
    tmp = f'{folder}.tmp-{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    features = {}
    for c in catalog_readers:
        for item, f in c.items():
            if f and item not in features:
                features[item] = f
    rows = {}
    ids = []

    def row_of(item):
        r = rows.get(item)
        if r is None:
            ids.append(item)
            r = rows[item] = len(ids)
        return r

    writer = _ArrayWriter(tmp)
    event_inputs = [r for r in readers if r.kind == 'events']
    partitions = None
    if event_inputs:
        size = sum(_size(r.path) for r in event_inputs)
        partitions = _Partitions(tmp, max(1, -(-size // partition_bytes)))
    timestamps = all(getattr(r, 'timestamps', False) for r in readers)
    purchase = TYPE_INDEX['purchase']
    for reader in readers:
        if reader.kind == 'sequences':
            for _, items in reader.sequences():
                seq = [row_of(i) for i in items]
                n = len(seq)
                times = SYNTHETIC_START_MS + np.arange(n, dtype=np.float64) * SYNTHETIC_GAP_MS
                writer.add(seq, times, np.full(n, purchase))
        else:
            for e in reader.events():
                partitions.add(e.user, row_of(e.item), e.time, TYPE_INDEX[e.type])
        for item, f in reader.catalog():
            if f and item not in features:
                features[item] = f
    if partitions:
        partitions.drain(writer)
    writer.close()

    # As loadDataset in src/training/data/load.ts: what the engine reads of each item, no more.
    items_cut = 0
    for item, f in features.items():
        features[item], cut = limit_features(f)
        items_cut += cut
    if items_cut:
        log(f'{items_cut} items have more than {MAX_TAGS} tags, {MAX_ATTRIBUTES} attribute values or {MAX_CATEGORIES} '
            'category levels, or values over 256 characters: the first are kept and the rest left out, as the engine does')
    tokens = None
    vocabulary = []
    if features:
        tokens = [feature_tokens(features.get(item)) for item in ids]
        distinct = set()
        for f in features.values():
            distinct.update(feature_tokens(f))
        vocabulary = sorted(distinct, key=js_sort_key)
    stats = {type(r).__name__ + ':' + os.path.basename(r.path): getattr(r, 'stats', None) for r in readers}
    meta = {
        'version': VERSION,
        'name': name,
        'users': writer.users,
        'events': writer.events,
        'items': len(ids),
        'timestamps': timestamps,
        'catalogItems': len(features),
        'described': sum(1 for item in ids if item in features),
        'readers': {k: v for k, v in stats.items() if v},
    }
    _write_json(os.path.join(tmp, 'item_ids.json'), ids)
    _write_json(os.path.join(tmp, 'vocabulary.json'), vocabulary)
    if tokens is not None:
        _write_json(os.path.join(tmp, 'tokens.json'), tokens)
    _write_json(os.path.join(tmp, 'meta.json'), meta)
    try:
        os.rename(tmp, folder)
    except OSError:
        # Another process (another node's builder) finished the same corpus first.
        shutil.rmtree(tmp, ignore_errors=True)
    log(f'corpus {folder}: {meta["users"]} users, {meta["events"]} events, {meta["items"]} items')
    return folder


def _size(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
    return os.path.getsize(path)


def _write_json(path, value):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(value, f, ensure_ascii=False)


class Corpus:
    """A built corpus, memory-mapped: only the pages a batch touches are read."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, 'meta.json'), encoding='utf-8') as f:
            self.meta = json.load(f)
        with open(os.path.join(folder, 'item_ids.json'), encoding='utf-8') as f:
            self.item_ids = json.load(f)
        self.name = self.meta['name']
        self.timestamps = self.meta['timestamps']
        self.offsets = np.fromfile(os.path.join(folder, 'offsets.i64'), dtype='<i8')
        self.items = _memmap(folder, 'items.i32', '<i4')
        self.times = _memmap(folder, 'times.f64', '<f8')
        self.types = _memmap(folder, 'types.u8', 'u1')
        self.lengths = np.diff(self.offsets)

    def tokens(self):
        path = os.path.join(self.folder, 'tokens.json')
        if not os.path.exists(path):
            return None
        with open(path, encoding='utf-8') as f:
            return json.load(f)

    def vocabulary(self):
        with open(os.path.join(self.folder, 'vocabulary.json'), encoding='utf-8') as f:
            return json.load(f)

    def sequence(self, user):
        a, b = self.offsets[user], self.offsets[user + 1]
        return self.items[a:b], self.times[a:b], self.types[a:b]


def _memmap(folder, name, dtype):
    path = os.path.join(folder, name)
    if os.path.getsize(path) == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode='r')
