"""Training windows and batches, as `windowsOf` / `makeBatch` in src/training/pretrain/pretrain.ts.

Every rank computes the same epoch plan from the same seed (windows, their order, the shared
negatives and step seeds of every global batch) and trains on its contiguous share of each
global batch. The plan holds three integers per window; events are read from the memory-mapped
corpus only for the windows of the current batch.
"""
import numpy as np


def split(lengths, holdout):
    """Training length per user (0: not trained) and validation ends per user (-1: none).

    holdout 1: users with >= 3 events lose their last, which validates (`npm run pretrain`);
    holdout 2: only users with >= 3 events train, without their last two; the second-last
    validates (the `standard` split of `npm run eval`, whose test item is the last)."""
    usable = lengths >= 3
    if holdout == 1:
        train = np.where(usable, lengths - 1, lengths)
        valid = np.where(usable, lengths - 1, -1)
    elif holdout == 2:
        train = np.where(usable, lengths - 2, 0)
        valid = np.where(usable, lengths - 2, -1)
    else:
        raise ValueError('holdout must be 1 or 2')
    return train, valid


def epoch_plan(train_lengths, max_history, batch_size, rng):
    """Windows (user, start, end: targets are events [start, end)) in training order, and the
    [begin, end) range of each global batch, shuffled as the Node trainer does."""
    users = np.flatnonzero(train_lengths > 0)
    n = train_lengths[users]
    count = -(-n // (max_history + 1))
    user = np.repeat(users, count)
    n_rep = np.repeat(n, count)
    first = np.zeros(len(user), dtype=bool)
    first[np.cumsum(count) - count] = True
    # The first window of a user ends at its last event; the others end anywhere.
    end = np.where(first, n_rep, 1 + np.floor(rng.random(len(user)) * n_rep).astype(np.int64))
    start = np.maximum(0, end - 1 - max_history)
    perm = rng.permutation(len(user))
    user, start, end = user[perm], start[perm], end[perm]
    # Sort within chunks by length, so a batch pads little but batches stay shuffled.
    chunk = np.arange(len(user)) // (batch_size * 32)
    order = np.lexsort((end - start, chunk))
    user, start, end = user[order], start[order], end[order]
    begins = np.arange(0, len(user), batch_size)
    begins = begins[rng.permutation(len(begins))]
    ranges = [(int(b), int(min(b + batch_size, len(user)))) for b in begins]
    return (user, start, end), ranges


def targets_in(start, end):
    """Targets of windows: every event after the first of the window, plus the first event of a
    user when the window starts there (predicted from the empty history)."""
    return int(np.sum(end - 1 - start) + np.sum(start == 0))


def step_randomness(rng, num_items, negatives):
    """Shared negatives (uniform rows with replacement, or every item) and the step seed."""
    if negatives >= num_items:
        rows = np.arange(1, num_items + 1, dtype=np.int64)
    else:
        rows = 1 + np.floor(rng.random(negatives) * num_items).astype(np.int64)
    return rows, int(rng.integers(0, 2**31))


def batch_steps(start, end):
    """History slots of a batch of windows: its longest history (at least 1)."""
    return int(max(1, (end - 1 - start).max() if len(start) else 1))


def make_batch(corpus, user, start, end, config, steps=None):
    """Padded inputs of windows, as numpy arrays (left-padded, most recent event at the right).

    Pass the global batch's `steps` when this is one rank's share: the tower is not invariant
    to padding (a padded window's first real slot holds the padding type's embedding where an
    unpadded one holds `user/bos`, as in tower.ts), so every rank pads as one process would."""
    b = len(user)
    length = end - 1 - start
    steps = batch_steps(start, end) if steps is None else steps
    pad = steps - length
    j = np.arange(steps)[None, :]
    valid = j >= pad[:, None]
    base = corpus.offsets[user] + start
    at = np.where(valid, base[:, None] + j - pad[:, None], 0)
    inputs = np.where(valid, corpus.items[at], 0).astype(np.int64)
    types = np.where(valid, corpus.types[at], 0).astype(np.int64)
    mask = np.zeros((b, steps + 1), dtype=np.float32)
    mask[np.arange(b), pad] = 1
    mask[:, 1:][valid] = 1
    recency = np.zeros((b, steps + 1), dtype=np.int64)
    recency[np.arange(b), pad] = config.recency_buckets - 1
    gaps = np.where(valid, corpus.times[np.where(valid, at + 1, 0)] - corpus.times[at], 0)
    recency[:, 1:][valid] = _buckets(gaps[valid], config.recency_buckets)
    # Targets: from the beginning-of-history slot when the window starts at the user's first
    # event, and from every history slot (the next event).
    first = np.flatnonzero(start == 0)
    slot_rows, slot_cols = np.nonzero(valid)
    slots = np.concatenate([first * (steps + 1) + pad[first], slot_rows * (steps + 1) + slot_cols + 1])
    targets = np.concatenate([corpus.items[corpus.offsets[user[first]]], corpus.items[at[valid] + 1]]).astype(np.int64)
    return {
        'inputs': inputs,
        'types': types,
        'mask': mask,
        'recency': recency,
        'slots': slots.astype(np.int64),
        'targets': targets,
    }


def _buckets(delta_ms, buckets):
    minutes = np.maximum(0.0, delta_ms) / 60000.0
    return np.minimum(buckets - 1, np.floor(np.log2(1 + minutes))).astype(np.int64)

