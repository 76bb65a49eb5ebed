"""Readers and the corpus: events in any order become per-user sequences in time order, in
bounded memory; catalogues become the features the engine tokenises."""
import json
import os
import tempfile
import unittest

import numpy as np

from localrank_torch import corpus, readers
from localrank_torch.config import EVENT_TYPES, SYNTHETIC_GAP_MS


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def build(folder, inputs, catalogs=(), partition_bytes=64 << 20, fmt='auto'):
    out = os.path.join(folder, 'corpus')
    corpus.build(readers.interaction_readers(inputs, fmt), readers.catalog_readers(list(catalogs)), out, 'test', partition_bytes, log=lambda *_: None)
    return corpus.Corpus(out)


def sequences(c):
    out = []
    for u in range(len(c.lengths)):
        items, times, types = c.sequence(u)
        out.append(([c.item_ids[r - 1] for r in items], list(times), [EVENT_TYPES[t] for t in types]))
    return out


EVENTS_CSV = """user_id,item_id,timestamp,event_type
u1,b,1700000060,view
u2,a,2023-11-14T22:13:20Z,purchase
u1,a,1700000000000,click
u1,c,1700000120,impression
u1,d,1700000180,wishlist
u2,c,1700000030,add_to_cart
,x,1700000000,view
u1,e,not a time,view
"""


class EventReaders(unittest.TestCase):
    def test_csv_events_become_time_ordered_sequences(self):
        with tempfile.TemporaryDirectory() as d:
            c = build(d, [write(d, 'events.csv', EVENTS_CSV)])
            self.assertEqual(c.meta['events'], 4)
            self.assertTrue(c.timestamps)
            by_types = {tuple(s[2]): s for s in sequences(c)}
            # Seconds, milliseconds and ISO times agree; impressions and unknown types are dropped.
            u1 = by_types[('click', 'view')]
            self.assertEqual(u1[0], ['a', 'b'])
            self.assertEqual(u1[1][1] - u1[1][0], 60000)
            self.assertEqual(by_types[('purchase', 'add_to_cart')][0], ['a', 'c'])
            stats = c.meta['readers']['CsvEvents:events.csv']
            self.assertEqual(stats, {'skipped': 3, 'impressions': 1})

    def test_partitions_bound_memory_without_changing_sequences(self):
        rows = ['user_id,item_id,timestamp']
        rng = np.random.default_rng(3)
        for i in range(600):
            rows.append(f'user{rng.integers(40)},item{rng.integers(25)},{1700000000 + int(rng.integers(100000))}')
        with tempfile.TemporaryDirectory() as d:
            path = write(d, 'events.csv', '\n'.join(rows) + '\n')
            one = build(os.path.join(d, 'one'), [path])
            many = build(os.path.join(d, 'many'), [path], partition_bytes=2000)
            self.assertEqual(one.item_ids, many.item_ids)
            key = lambda s: (s[0], s[1])
            self.assertEqual(sorted(map(key, sequences(one))), sorted(map(key, sequences(many))))
            for items, times, _ in sequences(many):
                self.assertEqual(times, sorted(times))

    def test_ga4_rows_give_events_and_item_features(self):
        row = {
            'event_name': 'add_to_cart', 'event_timestamp': 1700000000123456, 'user_pseudo_id': 'p1',
            'items': [{'item_id': 'sku1', 'item_name': 'Red Shoe', 'item_category': 'Shoes', 'item_category2': 'Running', 'item_brand': 'Acme', 'price': '59.90'}],
        }
        listed = {'event_name': 'view_item_list', 'event_timestamp': 1700000000000000, 'user_pseudo_id': 'p1', 'items': [{'item_id': 'sku2'}]}
        plain = {'user_id': 'p1', 'item_id': 'sku3', 'timestamp': 1700000001, 'event_type': 'purchase'}
        with tempfile.TemporaryDirectory() as d:
            path = write(d, 'ga4.jsonl', '\n'.join(json.dumps(r) for r in [row, listed, plain]) + '\n')
            c = build(d, [path])
            self.assertEqual(sequences(c)[0][0], ['sku1', 'sku3'])
            self.assertEqual(sequences(c)[0][2], ['add_to_cart', 'purchase'])
            self.assertEqual(c.tokens()[0], ['c:shoes', 'c:running', 'cp:shoes>running', 't:red', 't:shoe', 'b:acme', 'p:12'])


class Catalogues(unittest.TestCase):
    def test_csv_jsonl_and_item2attributes_catalogues(self):
        with tempfile.TemporaryDirectory() as d:
            log = write(d, 'log.txt', '1 a b c\n2 b d\n')
            csv_path = write(d, 'items.csv', 'item_id,title,category,brand,price,tags\na,Tomato Seeds 1998,Garden > Seeds,Acme,3,organic|heirloom\n')
            jsonl = write(d, 'items.jsonl', json.dumps({'item_id': 'b', 'name': 'Blue Pot', 'category': ['Garden', 'Pots']}) + '\n')
            attributes = write(d, 'item2attributes.json', json.dumps({'c': [12, 40], 'zzz': [1]}))
            c = build(d, [log], [csv_path, jsonl, attributes])
            tokens = c.tokens()
            self.assertEqual(tokens[0], ['c:garden', 'c:seeds', 'cp:garden>seeds', 't:tomato', 't:seeds', 't:1998', 'y:1990s', 'b:acme', 'g:organic', 'g:heirloom', 'p:4'])
            self.assertEqual(tokens[1], ['c:garden', 'c:pots', 'cp:garden>pots', 't:blue', 't:pot'])
            self.assertEqual(tokens[2], ['g:12', 'g:40'])
            self.assertEqual(tokens[3], [])
            # The vocabulary covers the whole catalogue, items without events included.
            self.assertIn('g:1', c.vocabulary())
            self.assertEqual(c.meta['catalogItems'], 4)

    def test_sequence_files_get_evenly_spaced_times(self):
        with tempfile.TemporaryDirectory() as d:
            c = build(d, [write(d, 'log.txt', '1 10 20 30\n2 20 40\n\n')])
            self.assertEqual(c.item_ids, ['10', '20', '30', '40'])
            items, times, types = sequences(c)[0]
            self.assertEqual(times[1] - times[0], SYNTHETIC_GAP_MS)
            self.assertEqual(set(types), {'purchase'})
            self.assertFalse(c.timestamps)


if __name__ == '__main__':
    unittest.main()
