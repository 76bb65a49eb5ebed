"""Data-parallel pretraining: one process per rank, DistributedDataParallel (`gloo` on CPU, `nccl`
on GPU), the loop of src/training/pretrain/pretrain.ts (Adam, sampled softmax, early stopping on
validation NDCG@10), the best model exported by rank 0.

`--batch` is the global batch: each step, every rank trains on its contiguous share of the same
global batch and scales its loss so that the averaged gradient is the gradient of the mean loss
over the whole global batch. With the same seed, a run on any number of ranks takes the same steps.
"""
import json
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .batches import batch_steps, epoch_plan, make_batch, split, step_randomness, targets_in
from .corpus import Corpus
from .export import export_model, write_model
from .model import TwoTower, content_index, export_tensors
from .scorer import Scorer
from .validate import METRICS, metric_sums, rank_cases, validation_cases


def _device(kind, local_rank):
    if kind == 'auto':
        kind = 'cuda' if torch.cuda.is_available() else 'cpu'
    if kind == 'cuda':
        torch.cuda.set_device(local_rank)
        return torch.device('cuda', local_rank)
    return torch.device('cpu')


def scorer_of(model, corpus, content):
    """A Scorer over the tensors the export would write (content folded into the table)."""
    config = model.config
    tensors = {name: torch.from_numpy(a) for name, a in export_tensors(model.tensors(), config, content)}
    manifest = {'config': config.manifest(), 'items': {'ids': corpus.item_ids}}
    return Scorer(manifest, tensors, next(model.parameters()).device)


def _share(corpus, config, window, rank, world, device):
    """This rank's contiguous share of a global batch of windows, padded to the global batch's
    length, as tensors on `device`."""
    users, starts, ends = window
    mine = np.array_split(np.arange(len(users)), world)[rank]
    arrays = make_batch(corpus, users[mine], starts[mine], ends[mine], config, batch_steps(starts, ends))
    batch = {k: torch.from_numpy(v).to(device) for k, v in arrays.items()}
    batch['share'] = (int(mine[0]) if len(mine) else 0, len(users))
    return batch


def start_rank(rank, world, local_rank, device_kind, init_method):
    """Joins the process group: `nccl` when this rank runs on a GPU, else `gloo`."""
    device = _device(device_kind, local_rank)
    backend = 'nccl' if device.type == 'cuda' else 'gloo'
    dist.init_process_group(backend, init_method=init_method, rank=rank, world_size=world)
    return device


def run(rank, world, local_rank, job):
    """One rank's training, in a joined process group. `job` holds the corpus folder, config,
    options and output folder."""
    config, options = job['config'], job['options']
    device = _device(job['device'], local_rank)
    backend = dist.get_backend()
    torch.set_num_threads(job['threads'])
    log = print if rank == 0 else (lambda *_, **__: None)
    try:
        return _train(rank, world, device, backend, job, config, options, log)
    finally:
        dist.destroy_process_group()


def _train(rank, world, device, backend, job, config, options, log):
    started = time.time()
    corpus = Corpus(job['corpus'])
    num_items = len(corpus.item_ids)
    tokens = corpus.tokens()
    content = content_index(tokens, config)
    model = TwoTower(config, num_items, options.seed, content).to(device)
    ddp = DistributedDataParallel(
        model,
        device_ids=[device.index] if device.type == 'cuda' else None,
        broadcast_buffers=False,
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=options.learning_rate, betas=(0.9, 0.98), eps=1e-7)
    train_lengths, valid_ends = split(corpus.lengths, options.holdout)
    train_events = int(train_lengths.sum())
    cases = validation_cases(corpus, valid_ends, options.valid_users, options.seed + 7)
    log(
        f'{corpus.name}: {int((train_lengths > 0).sum())} users, {train_events} training events, {num_items} items, '
        f'{len(cases)} validation users; {world} process(es) on {device} ({backend})'
    )
    rng = np.random.default_rng(options.seed)
    history = []
    best, best_score, best_epoch, stale = None, -1.0, 0, 0
    best_metrics = None
    epoch = 0
    for epoch in range(1, options.epochs + 1):
        tick = time.time()
        (users, starts, ends), ranges = epoch_plan(train_lengths, config.max_history, options.batch_size, rng)
        loss_sum = torch.zeros((), device=device)
        for b0, b1 in ranges:
            window = (users[b0:b1], starts[b0:b1], ends[b0:b1])
            negatives, step_seed = step_randomness(rng, num_items, options.negatives)
            batch = _share(corpus, config, window, rank, world, device)
            batch['negatives'] = torch.from_numpy(negatives).to(device)
            batch['step_seed'] = step_seed
            loss = ddp(batch, options.dropout, options.id_dropout, world / max(1, targets_in(window[1], window[2])))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        dist.all_reduce(loss_sum)
        seconds = time.time() - tick
        entry = {
            'epoch': epoch,
            'loss': float(loss_sum) / world / max(1, len(ranges)),
            'seconds': seconds,
            'batches': len(ranges),
            'eventsPerSecond': train_events / seconds,
        }
        line = f'epoch {epoch}: loss {entry["loss"]:.4f} ({seconds:.1f}s, {len(ranges)} batches, {entry["eventsPerSecond"]:.0f} events/s)'
        if epoch % options.eval_every == 0 or epoch == options.epochs:
            metrics = _validate(model, corpus, content, cases, rank, world, device)
            if metrics:
                entry['validation'] = metrics
                line += f' valid HR@10 {metrics["HR@10"]:.4f} NDCG@10 {metrics["NDCG@10"]:.4f}'
                if metrics['NDCG@10'] > best_score:
                    best_score, stale = metrics['NDCG@10'], 0
                    best, best_epoch, best_metrics = _snapshot(model), epoch, metrics
                else:
                    stale += 1
            else:
                best, best_epoch = _snapshot(model), epoch
        history.append(entry)
        log(line, flush=True)
        if stale >= options.patience:
            log(f'early stop: no better validation NDCG@10 in {stale} evaluations')
            break
    if best is None:
        best, best_epoch = _snapshot(model), epoch
        best_metrics = _validate(model, corpus, content, cases, rank, world, device)
    if rank == 0:
        _write(job, corpus, config, options, best, content, history, best_epoch, best_metrics, len(cases), world, device, backend, started)
    dist.barrier()
    return history


def _snapshot(model):
    return {name: t.detach().clone() for name, t in model.tensors().items()}


def _validate(model, corpus, content, cases, rank, world, device):
    """Metric means over the validation cases, each rank ranking a share of them."""
    with torch.no_grad():
        mine = cases[rank::world]
        ranks = rank_cases(scorer_of(model, corpus, content), corpus, mine) if mine else []
        sums = metric_sums(ranks)
        totals = torch.tensor([*(sums[m] for m in METRICS), len(ranks)], dtype=torch.float64, device=device)
        dist.all_reduce(totals)
    count = float(totals[-1])
    if count == 0:
        return None
    return {m: float(totals[i]) / count for i, m in enumerate(METRICS)}


def _write(job, corpus, config, options, tensors, content, history, best_epoch, metrics, valid_users, world, device, backend, started):
    vocabulary = corpus.vocabulary()
    seconds = sum(e['seconds'] for e in history)
    training = {
        'dataset': corpus.name,
        'trainer': 'pytorch',
        'epochs': best_epoch,
        'validation': metrics,
        'options': options.manifest(),
        'processes': world,
    }
    manifest, weights = export_model(
        tensors, config, corpus.item_ids, corpus.name, content=content, training=training, vocabulary=vocabulary
    )
    meta = corpus.meta
    report = {
        'format': 'localrank-report/1',
        'model': {'version': manifest['version'], 'sha256': manifest['weights']['sha256'], 'bytes': len(weights)},
        'data': {
            'inputs': job['inputs'],
            'catalogs': job['catalogs'],
            'users': meta['users'],
            'events': meta['events'],
            'items': meta['items'],
            'timestamps': meta['timestamps'],
            'catalogItems': meta['catalogItems'],
            'describedItems': meta['described'],
            'vocabulary': len(vocabulary),
            'readers': meta['readers'],
        },
        'config': config.manifest(),
        'training': {
            'torch': torch.__version__,
            'processes': world,
            'device': str(device),
            'backend': backend,
            'threadsPerProcess': job['threads'],
            'options': options.manifest(),
            'epochsRun': len(history),
            'bestEpoch': best_epoch,
            'seconds': seconds,
            'wallSeconds': time.time() - started,
            'eventsPerSecond': float(np.mean([e['eventsPerSecond'] for e in history])) if history else 0.0,
            'epochs': history,
        },
        'validation': metrics,
        'validationUsers': valid_users,
    }
    write_model(job['out'], manifest, weights, report)
    print(f'wrote {job["out"]} ({len(weights)} bytes, version {manifest["version"]})')
    if metrics:
        print(f'validation {json.dumps(metrics)}')
    return os.path.join(job['out'], 'manifest.json')
