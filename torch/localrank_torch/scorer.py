"""Inference with exported weights, as `Scorer` in src/worker/model/scorer.ts: item vectors (id table row,
content tokens and server embedding for unknown ids) and user vectors of event histories."""
import json
import math
import os

import numpy as np
import torch

from .config import ModelConfig, recency_bucket
from .features import feature_buckets, js_string, limit_features
from .tower import content_vectors, tensor_specs, user_tower


class Scorer:
    def __init__(self, manifest, tensors, device='cpu'):
        self.manifest = manifest
        self.config = ModelConfig.from_manifest(manifest['config'])
        self.ids = manifest['items']['ids']
        self.rows = {item: i + 1 for i, item in enumerate(self.ids)}
        self.device = torch.device(device)
        self.p = {name: t.to(self.device) for name, t in tensors.items()}

    @staticmethod
    def from_artifacts(manifest, weights, device='cpu'):
        """Reads tensors from `weights` (bytes) at the manifest's offsets, checking their shapes."""
        config = ModelConfig.from_manifest(manifest['config'])
        listed = {t['name']: t for t in manifest['tensors']}
        tensors = {}
        for name, shape in tensor_specs(config, len(manifest['items']['ids'])):
            entry = listed[name]
            if list(entry['shape']) != shape:
                raise ValueError(f'tensor {name} has shape {entry["shape"]}, expected {shape}')
            size = int(np.prod(shape))
            values = np.frombuffer(weights, dtype='<f4', count=size, offset=entry['offset'])
            tensors[name] = torch.from_numpy(values.astype(np.float32).reshape(shape))
        return Scorer(manifest, tensors, device)

    @staticmethod
    def load(folder, device='cpu'):
        with open(os.path.join(folder, 'manifest.json'), encoding='utf-8') as f:
            manifest = json.load(f)
        with open(os.path.join(folder, manifest['weights']['path']), 'rb') as f:
            weights = f.read()
        return Scorer.from_artifacts(manifest, weights, device)

    def row(self, item_id):
        return self.rows.get(js_string(item_id), 0)

    @torch.no_grad()
    def item_vectors(self, items):
        """[N, dim] for `items`: dicts with `id` and optional `features` and `embedding`."""
        cfg = self.config
        n = len(items)
        rows = torch.tensor([self.row(i['id']) for i in items], dtype=torch.long, device=self.device)
        vectors = self.p['item/table'][rows]
        if n == 0:
            return vectors
        if cfg.hash_buckets > 0:
            buckets = np.zeros((n, cfg.max_tokens), dtype=np.int64)
            counts = np.zeros((n, 1), dtype=np.float32)
            for i, item in enumerate(items):
                if rows[i] != 0:
                    continue
                # The engine validates candidates first, cutting their features to its limits.
                found = feature_buckets(limit_features(item.get('features'))[0], cfg.hash_buckets, cfg.max_tokens)
                buckets[i, : len(found)] = found
                counts[i, 0] = len(found)
            if counts.any():
                vectors = vectors + content_vectors(
                    self.p['item/hash'], torch.from_numpy(buckets).to(self.device), torch.from_numpy(counts).to(self.device)
                )
        if cfg.server_embedding_dim > 0:
            server = np.zeros((n, cfg.server_embedding_dim), dtype=np.float32)
            for i, item in enumerate(items):
                e = item.get('embedding')
                if e is None or len(e) != cfg.server_embedding_dim or not all(math.isfinite(x) for x in e):
                    continue
                server[i] = e
            if server.any():
                vectors = vectors + torch.from_numpy(server).to(self.device) @ self.p['item/server']
        return vectors

    @torch.no_grad()
    def user_states(self, histories, nows):
        """[B, dim]: user vectors of histories (oldest first; dicts with itemId, type, time, features)."""
        cfg = self.config
        batch = len(histories)
        windows = [h[max(0, len(h) - cfg.max_history) :] for h in histories]
        steps = max([len(w) for w in windows] + [0])
        refs = []
        slot_index = np.zeros(batch * steps, dtype=np.int64)
        types = np.zeros(batch * steps, dtype=np.int64)
        mask = np.zeros(batch * (steps + 1), dtype=np.float32)
        recency = np.zeros(batch * (steps + 1), dtype=np.int64)
        for b, w in enumerate(windows):
            pad = steps - len(w)
            mask[b * (steps + 1) + pad] = 1
            for j, event in enumerate(w):
                refs.append({'id': event['itemId'], 'features': event.get('features')})
                slot_index[b * steps + pad + j] = len(refs)
                t = event.get('type')
                types[b * steps + pad + j] = cfg.event_types.index(t) if t in cfg.event_types else 0
                mask[b * (steps + 1) + pad + j + 1] = 1
            last = w[-1]['time'] if w else None
            recency[b * (steps + 1) + steps] = (
                recency_bucket(nows[b] - last, cfg.recency_buckets)
                if last is not None and math.isfinite(last)
                else cfg.recency_buckets - 1
            )
        vectors = self.item_vectors(refs)
        padded = torch.cat([torch.zeros(1, cfg.dim, device=self.device), vectors], 0)
        items = padded[torch.from_numpy(slot_index).to(self.device)].reshape(batch, steps, cfg.dim)
        return self._last_state(items, types, mask, recency)

    @torch.no_grad()
    def row_states(self, rows, types, last_times, nows):
        """[B, dim] for histories of known table rows (lists of arrays, oldest first), their
        event-type indices and last event times: the validation's fast path."""
        cfg = self.config
        batch = len(rows)
        rows = [r[max(0, len(r) - cfg.max_history) :] for r in rows]
        types = [t[max(0, len(t) - cfg.max_history) :] for t in types]
        steps = max([len(r) for r in rows] + [0])
        slot_rows = np.zeros((batch, steps), dtype=np.int64)
        slot_types = np.zeros((batch, steps), dtype=np.int64)
        mask = np.zeros((batch, steps + 1), dtype=np.float32)
        recency = np.zeros((batch, steps + 1), dtype=np.int64)
        for b in range(batch):
            n = len(rows[b])
            slot_rows[b, steps - n :] = rows[b]
            slot_types[b, steps - n :] = types[b]
            mask[b, steps - n :] = 1
            last = last_times[b]
            recency[b, steps] = (
                recency_bucket(nows[b] - last, cfg.recency_buckets) if n > 0 else cfg.recency_buckets - 1
            )
        items = self.p['item/table'][torch.from_numpy(slot_rows).to(self.device)]
        items = items * torch.from_numpy(mask[:, 1:]).to(self.device).unsqueeze(2)
        return self._last_state(items, slot_types.reshape(-1), mask.reshape(-1), recency.reshape(-1))

    def _last_state(self, items, types, mask, recency):
        batch, steps = items.shape[0], items.shape[1]
        dev = self.device
        out = user_tower(
            self.p,
            self.config,
            items,
            torch.from_numpy(types).to(dev).reshape(batch, steps),
            torch.from_numpy(mask).to(dev).reshape(batch, steps + 1),
            torch.from_numpy(recency).to(dev).reshape(batch, steps + 1),
        )
        return out[:, steps]
