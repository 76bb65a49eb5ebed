"""Windows and batches, and JavaScript's number formatting."""
import unittest

import numpy as np

from localrank_torch.batches import epoch_plan, split, targets_in
from localrank_torch.features import js_number


class Plans(unittest.TestCase):
    def test_holdouts_follow_the_node_splits(self):
        train, valid = split(np.array([1, 2, 3, 10]), 1)
        self.assertEqual(train.tolist(), [1, 2, 2, 9])
        self.assertEqual(valid.tolist(), [-1, -1, 2, 9])
        train, valid = split(np.array([1, 2, 3, 10]), 2)
        self.assertEqual(train.tolist(), [0, 0, 1, 8])
        self.assertEqual(valid.tolist(), [-1, -1, 1, 8])

    def test_every_user_trains_to_its_last_event_and_batches_partition_the_windows(self):
        lengths = np.array([0, 1, 5, 30, 120])
        (users, starts, ends), ranges = epoch_plan(lengths, 10, 4, np.random.default_rng(0))
        for u in (1, 2, 3, 4):
            self.assertIn(lengths[u], ends[users == u].tolist())
            self.assertEqual((users == u).sum(), -(-lengths[u] // 11))
        self.assertTrue(((ends - starts) <= 11).all())
        covered = sorted(i for b0, b1 in ranges for i in range(b0, b1))
        self.assertEqual(covered, list(range(len(users))))
        self.assertEqual(targets_in(np.array([0, 3]), np.array([4, 9])), 3 + 1 + 5)


class JavaScriptNumbers(unittest.TestCase):
    def test_string_of_numbers(self):
        cases = [(1, '1'), (-0.0, '0'), (0.5, '0.5'), (1e21, '1e+21'), (1e-7, '1e-7'), (1.5e-10, '1.5e-10'), (123456789012345680000, '123456789012345680000'),
                 (0.1 + 0.2, '0.30000000000000004'), (1e20, '100000000000000000000'), (0.000001, '0.000001'), (2.5e-6, '0.0000025'), (12.0, '12'), (True, 'true')]
        for value, text in cases:
            self.assertEqual(js_number(value), text, value)


if __name__ == '__main__':
    unittest.main()
