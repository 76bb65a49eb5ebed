"""Trainable parameters of the two-tower model and the pretraining loss (src/training/pretrain/model.ts).

The raw id embeddings train as `item/id`; the export folds content into `item/table`. A step
computes only the item rows its batch touches (history items, targets, negatives); each row is
what `itemTable` in model.ts gives for it.
"""
import math
import re

import numpy as np
import torch
import torch.nn as nn

from . import keyed_random
from .tower import content_vectors, tensor_specs, user_tower

_GAMMA = re.compile(r'ln\d?_g$')
_ZERO = re.compile(r'(ln\d?_b|/b\d)$')

# Salts of the keyed random streams of one step.
SALT_ID_DROPOUT = 101


def init_params(config, num_items, seed):
    """Initial values as `initParams` in model.ts (same distributions; not the same draws)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in tensor_specs(config, num_items):
        name = 'item/id' if name == 'item/table' else name
        if _GAMMA.search(name):
            t = torch.ones(shape)
        elif _ZERO.search(name) or name in ('user/type', 'user/recency'):
            t = torch.zeros(shape)
        elif len(shape) == 2 and name.startswith('user/b'):
            limit = math.sqrt(6 / (shape[0] + shape[1]))
            t = torch.rand(shape, generator=g) * 2 * limit - limit
        else:
            std = 0.02 if name == 'item/hash' else 0.05
            t = _truncated_normal(shape, std, g)
        if name == 'item/hash':
            t[0] = 0
        out[name] = t
    return out


def _truncated_normal(shape, std, g):
    """Normal draws re-drawn beyond two standard deviations (tf.truncatedNormal)."""
    t = torch.randn(shape, generator=g)
    bad = t.abs() > 2
    while bad.any():
        t[bad] = torch.randn(int(bad.sum()), generator=g)
        bad = t.abs() > 2
    return t * std


class TwoTower(nn.Module):
    """The model's trainable tensors; `forward` is the loss of one rank's share of a global batch.

    `content` is (buckets int32 [V + 1, K], counts [V + 1, 1]) or None. Tensors no step touches
    (`item/server`; `item/hash` without a catalogue) are buffers, exported as initialised, as the
    Node trainer does; DistributedDataParallel requires every parameter to get a gradient.
    """

    def __init__(self, config, num_items, seed, content=None):
        super().__init__()
        self.config = config
        self.num_items = num_items
        initial = init_params(config, num_items, seed)
        trained = {}
        self.frozen_names = []
        for name, value in initial.items():
            if name == 'item/server' or (name == 'item/hash' and content is None):
                self.register_buffer(name, value)
                self.frozen_names.append(name)
            else:
                trained[name] = nn.Parameter(value)
        self.weights = nn.ParameterDict(trained)
        if content is not None:
            self.register_buffer('content_buckets', content[0])
            self.register_buffer('content_counts', content[1])
        self.has_content = content is not None

    def tensors(self):
        """Every tensor by manifest name (training naming: `item/id`)."""
        out = dict(self.weights.items())
        for name in self.frozen_names:
            out[name] = getattr(self, name)
        return out

    def rows(self, rows, step_seed, id_dropout):
        """Rows `rows` of the training item table (`itemTable` in model.ts), with id dropout."""
        ids = self.weights['item/id']
        vectors = ids[rows]
        if id_dropout > 0 and self.has_content:
            u = keyed_random.uniform(step_seed, torch.full_like(rows, SALT_ID_DROPOUT), rows)
            keep = ((u > id_dropout) & (rows != 0)).to(vectors.dtype).unsqueeze(1)
            vectors = vectors * keep + ids[0:1] * (1 - keep)
        if self.has_content:
            vectors = vectors + content_vectors(
                self.weights['item/hash'], self.content_buckets[rows].long(), self.content_counts[rows]
            )
        return vectors

    def forward(self, batch, dropout, id_dropout, scale):
        """Sum of the sampled-softmax losses of this rank's targets, times `scale`.

        `batch` holds tensors: inputs [b, T] item rows (0 pads), types [b, T], mask [b, T + 1],
        recency [b, T + 1], slots / targets of each target, negatives and step_seed (shared by
        all ranks), and share: (index of this rank's first window, size of the global batch).
        """
        cfg = self.config
        d = cfg.dim
        inputs, targets, negatives = batch['inputs'], batch['targets'], batch['negatives']
        b, steps = inputs.shape
        seed = int(batch['step_seed'])
        rows, inverse = torch.unique(torch.cat([inputs.reshape(-1), targets, negatives]), return_inverse=True)
        table = self.rows(rows, seed, id_dropout)
        n_in = inputs.numel()
        items = table[inverse[:n_in]].reshape(b, steps, d)
        pos = table[inverse[n_in : n_in + targets.numel()]]
        neg = table[inverse[n_in + targets.numel() :]]

        # Every rank draws the dropout masks of the whole global batch from the step's seed and
        # keeps its own rows: the masks do not depend on how the batch is split.
        generator = torch.Generator(device=inputs.device).manual_seed(seed) if dropout > 0 else None
        first, size = batch['share']

        def drop(x, salt):
            if dropout <= 0:
                return x
            u = torch.rand((size, *x.shape[1:]), generator=generator, device=x.device)[first : first + x.shape[0]]
            return x * (u >= dropout).to(x.dtype) / (1 - dropout)

        out = user_tower(self.weights, cfg, items, batch['types'], batch['mask'], batch['recency'], drop)
        users = out.reshape(b * (steps + 1), d)[batch['slots']]
        pos_logit = (users * pos).sum(1, keepdim=True)
        # A negative that happens to be the target is masked out.
        hits = (targets.unsqueeze(1) == negatives.unsqueeze(0)).to(users.dtype)
        neg_logit = users @ neg.t() + hits * -1e9
        logits = torch.cat([pos_logit, neg_logit], 1)
        return -torch.log_softmax(logits, 1)[:, 0].sum() * scale


@torch.no_grad()
def export_tensors(tensors, config, content=None):
    """Float32 arrays in manifest order: content folded into `item/table` (row 0 stays the raw
    unknown row: unknown items add their own content at scoring time), `item/hash` row 0 zeroed."""
    num_items = tensors['item/id'].shape[0] - 1
    out = []
    for name, shape in tensor_specs(config, num_items):
        if name == 'item/table':
            value = tensors['item/id'].detach().clone()
            if content is not None:
                buckets, counts = (c.to(value.device) for c in content)
                value[1:] += content_vectors(tensors['item/hash'], buckets[1:].long(), counts[1:])
        else:
            value = tensors[name].detach().clone()
            if name == 'item/hash':
                value[0] = 0
        array = value.cpu().numpy().astype('<f4')
        assert list(array.shape) == shape, (name, array.shape, shape)
        out.append((name, array))
    return out


def content_index(tokens, config, memo=None):
    """(buckets int32 [V + 1, K], counts float [V + 1, 1]) from each row's tokens (row 0: none)."""
    from .features import token_buckets

    if config.hash_buckets <= 0 or tokens is None:
        return None
    k = config.max_tokens
    buckets = np.zeros((len(tokens) + 1, k), dtype=np.int32)
    counts = np.zeros((len(tokens) + 1, 1), dtype=np.float32)
    memo = {} if memo is None else memo
    for i, row_tokens in enumerate(tokens):
        if not row_tokens:
            continue
        found = token_buckets(row_tokens, config.hash_buckets, k, memo)
        buckets[i + 1, : len(found)] = found
        counts[i + 1, 0] = len(found)
    return torch.from_numpy(buckets), torch.from_numpy(counts)
