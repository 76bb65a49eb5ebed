"""Early-stopping cases and their ranking metrics, as the Node trainer draws and scores them
(src/training/pretrain/split.ts `validationCases`, eval/protocols.ts `rankCases`, pretrain/rank.ts,
pretrain/metrics.ts).

The cases are drawn with the same generator (mulberry32) in the same order, so for a corpus
read in the same order they are the very users and negatives the Node trainer validates on.
"""
import math

import numpy as np
import torch

from .config import SYNTHETIC_GAP_MS

METRICS = ('HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR')
# Above this many users the pool is shuffled with numpy rather than mulberry32 (speed).
EXACT_POOL_LIMIT = 1_000_000


def mulberry32(seed):
    """`seededRandom` of src/training/data/random.ts."""
    state = [seed & 0xFFFFFFFF]

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def random():
        state[0] = (state[0] + 0x6D2B79F5) & 0xFFFFFFFF
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return random


def validation_cases(corpus, valid_ends, count, seed):
    """Cases (user, end, now, candidate rows: the true item first, then 99 negatives)."""
    random = mulberry32(seed)
    pool = np.flatnonzero(valid_ends >= 1)
    if len(pool) <= EXACT_POOL_LIMIT:
        pool = pool.tolist()
        for i in range(len(pool) - 1, 0, -1):
            j = math.floor(random() * (i + 1))
            pool[i], pool[j] = pool[j], pool[i]
    else:
        pool = np.random.default_rng(seed).permutation(pool).tolist()
    num_items = len(corpus.item_ids)
    cases = []
    for user in pool[:count]:
        end = int(valid_ends[user])
        items, times, _ = corpus.sequence(user)
        now = float(times[end]) if corpus.timestamps else float(times[end - 1]) + SYNTHETIC_GAP_MS
        seen = set(items.tolist())
        negatives = {}
        tries = 0
        while len(negatives) < 99 and tries < 99 * 50:
            row = 1 + math.floor(random() * num_items)
            if row not in seen:
                negatives[row] = None
            tries += 1
        cases.append((user, end, now, [int(items[end]), *negatives]))
    return cases


def rank_cases(scorer, corpus, cases, batch_size=256):
    """1-based rank of the true item of each case; ties rank the true item below (pessimistic)."""
    ranks = []
    table = scorer.p['item/table']
    for s in range(0, len(cases), batch_size):
        chunk = cases[s : s + batch_size]
        rows, types, last, nows = [], [], [], []
        for user, end, now, _ in chunk:
            items, times, kinds = corpus.sequence(user)
            rows.append(np.asarray(items[:end], dtype=np.int64))
            types.append(np.asarray(kinds[:end], dtype=np.int64))
            last.append(float(times[end - 1]))
            nows.append(now)
        users = scorer.row_states(rows, types, last, nows)
        candidates = torch.tensor([c[3] for c in chunk], dtype=torch.long, device=users.device)
        scores = (table[candidates] * users.unsqueeze(1)).sum(2).cpu().numpy()
        for row in scores:
            ranks.append(1 + int(np.sum(~(row[1:] < row[0]))))
    return ranks


def metric_sums(ranks):
    """Sums of each metric over the cases (divide by the count for the means)."""
    sums = dict.fromkeys(METRICS, 0.0)
    for r in ranks:
        sums['HR@1'] += r <= 1
        sums['HR@5'] += r <= 5
        sums['HR@10'] += r <= 10
        sums['NDCG@5'] += 1 / math.log2(r + 1) if r <= 5 else 0
        sums['NDCG@10'] += 1 / math.log2(r + 1) if r <= 10 else 0
        sums['MRR'] += 1 / r
    return sums
