"""The two-tower math of src/worker/model/tower.ts over a dict of tensors named as in the manifest.

Shared by training (parameters) and the scorer (exported weights). Shapes and operations follow
the TensorFlow.js code step by step, so the same weights give the same vectors.
"""
import math

import torch
import torch.nn.functional as F


def tensor_specs(config, num_items):
    """Every tensor of a model with `num_items` known ids, in file order (`tensorSpecs`)."""
    d = config.dim
    specs = [('item/table', [num_items + 1, d])]
    if config.hash_buckets > 0:
        specs.append(('item/hash', [config.hash_buckets, d]))
    if config.server_embedding_dim > 0:
        specs.append(('item/server', [config.server_embedding_dim, d]))
    specs += [
        ('user/bos', [1, d]),
        ('user/pos', [config.max_history + 1, d]),
        ('user/type', [len(config.event_types), d]),
        ('user/recency', [config.recency_buckets, d]),
    ]
    for b in range(config.blocks):
        p = f'user/b{b}/'
        specs += [
            (p + 'ln1_g', [d]),
            (p + 'ln1_b', [d]),
            (p + 'wq', [d, d]),
            (p + 'wk', [d, d]),
            (p + 'wv', [d, d]),
            (p + 'wo', [d, d]),
            (p + 'ln2_g', [d]),
            (p + 'ln2_b', [d]),
            (p + 'w1', [d, config.ffn_dim]),
            (p + 'b1', [config.ffn_dim]),
            (p + 'w2', [config.ffn_dim, d]),
            (p + 'b2', [d]),
        ]
    specs += [('user/ln_g', [d]), ('user/ln_b', [d])]
    return specs


def layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(variance + 1e-6) * gamma + beta


def content_vectors(hash_table, buckets, counts):
    """Mean of hashed content rows: `buckets` long [N, K] (0 = padding), `counts` [N, 1]."""
    n, k = buckets.shape
    rows = hash_table[buckets.reshape(-1)].reshape(n, k, -1)
    present = (buckets > 0).to(rows.dtype).unsqueeze(2)
    return (rows * present).sum(1) / torch.clamp(counts, min=1)


def user_tower(p, config, items, types, mask, recency, drop=None):
    """The causal self-attentive user tower (`userTower`): [B, T + 1, d].

    items [B, T, d] (left-padded), types long [B, T], mask [B, T + 1], recency long [B, T + 1].
    `drop(x, salt)` applies dropout during training; salts are those of tower.ts.
    """
    batch, steps = types.shape
    d = config.dim
    slots = steps + 1
    drop = drop or (lambda x, salt: x)
    bos = p['user/bos'].reshape(1, 1, d).expand(batch, 1, d)
    h = bos
    if steps > 0:
        events = torch.cat([torch.zeros_like(bos), items + F.embedding(types, p['user/type'])], 1)
        # A left-padded history's start token goes in its own first slot (the first 1 of its mask),
        # so it reads the same alone or in any batch.
        before = torch.cat([torch.zeros_like(mask[:, :1]), mask[:, :-1]], 1)
        first = (mask - before).unsqueeze(2)
        h = events * (mask.unsqueeze(2) - first) + bos * first
    # Slots are right-aligned: the most recent event always sits at position maxHistory.
    pos = p['user/pos'][config.max_history + 1 - slots :]
    m = mask.unsqueeze(2)
    h = drop((h + pos) * m, 1)

    causal = torch.tril(torch.ones(slots, slots, dtype=h.dtype, device=h.device))
    allowed = causal.reshape(1, 1, slots, slots) * mask.reshape(batch, 1, 1, slots)
    bias = (1 - allowed) * -1e9
    heads = config.heads
    scale = 1 / math.sqrt(d / heads)

    def split(x):
        return x.reshape(batch, slots, heads, d // heads).transpose(1, 2)

    for b in range(config.blocks):
        k = f'user/b{b}/'
        a = layer_norm(h, p[k + 'ln1_g'], p[k + 'ln1_b'])
        q = split(a @ p[k + 'wq'])
        kk = split(a @ p[k + 'wk'])
        v = split(a @ p[k + 'wv'])
        att = torch.softmax(q @ kk.transpose(-1, -2) * scale + bias, -1)
        ctx = (att @ v).transpose(1, 2).reshape(batch, slots, d)
        h = h + drop(ctx @ p[k + 'wo'], 10 + b)
        f = layer_norm(h, p[k + 'ln2_g'], p[k + 'ln2_b'])
        ffn = torch.relu(f @ p[k + 'w1'] + p[k + 'b1']) @ p[k + 'w2'] + p[k + 'b2']
        h = (h + drop(ffn, 20 + b)) * m
    out = layer_norm(h, p['user/ln_g'], p['user/ln_b'])
    return out + F.embedding(recency, p['user/recency'])
