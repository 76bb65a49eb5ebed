"""`python -m localrank_torch <command>` (run with `torch/` on PYTHONPATH; `npm run pretrain:torch`
does it for `train`).

  train   --dataset PATH [--dataset PATH ...] [--catalog PATH] --out DIR [--processes N] ...
          Options and defaults are those of `npm run pretrain`. Under torchrun (RANK, WORLD_SIZE
          and LOCAL_RANK set) each process is one rank and --processes is ignored.
  score   --model DIR --cases FILE   user vectors and scores of histories, as JSON (parity tests)
  tokens  --buckets N --max-tokens K  reads JSON feature objects (one per line) on stdin, prints
          their tokens and buckets (of the features cut to the engine's limits) as JSON lines
          (hashing parity tests)
"""
import argparse
import importlib.util
import json
import os
import socket
import sys

from .config import ModelConfig, TrainOptions


# The readers' formats (readers/__init__.py registers them; a test keeps the two in step). Listed
# here so that a misspelt format is refused before numpy or torch is imported.
FORMATS = ('auto', 'sequences', 'csv', 'jsonl', 'movielens')
CATALOG_FORMATS = ('auto', 'csv', 'jsonl', 'item2attributes')


def _train_parser():
    # allow_abbrev=False: a flag is spelt out, as the Node commands want it (`--epoch` is an error).
    p = argparse.ArgumentParser(prog='localrank_torch train', description='Pretrain a localrank model with PyTorch.', allow_abbrev=False)
    p.add_argument('--dataset', action='append', required=True, help='interaction files, folders or globs (repeatable)')
    p.add_argument('--format', default='auto', choices=FORMATS, help='sequences | csv | jsonl | movielens (default: by extension)')
    p.add_argument('--catalog', action='append', default=[], help='catalogue files: CSV, JSONL or item2attributes JSON')
    p.add_argument('--catalog-format', default='auto', choices=CATALOG_FORMATS)
    p.add_argument('--out', help='model folder (default .cache/models/<name>-torch)')
    p.add_argument('--name', help='dataset name in the model version (default: the first input file name)')
    p.add_argument('--processes', type=int, default=1, help='ranks on this machine (torch.multiprocessing.spawn)')
    p.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads per process (default 1: this small model scales by processes, not threads)')
    p.add_argument('--cache', default='.cache/torch', help='where built corpora are kept')
    p.add_argument('--partition-mb', type=int, default=64, help='memory bound of grouping events by user')
    d, o = ModelConfig(), TrainOptions()
    p.add_argument('--dim', type=int, default=d.dim)
    p.add_argument('--max-history', type=int, default=d.max_history)
    p.add_argument('--blocks', type=int, default=d.blocks)
    p.add_argument('--heads', type=int, default=d.heads)
    p.add_argument('--ffn', type=int, help='feed-forward width (default: dim)')
    p.add_argument('--hash-buckets', type=int, help='content hash rows (default: 4096 with a catalogue, else 0)')
    p.add_argument('--max-tokens', type=int, default=d.max_tokens)
    p.add_argument('--server-embedding-dim', type=int, default=0, help='exported untrained, as the Node trainer does')
    p.add_argument('--epochs', type=int, default=o.epochs)
    p.add_argument('--batch', type=int, default=o.batch_size, help='global batch (split across processes)')
    p.add_argument('--lr', type=float, default=o.learning_rate)
    p.add_argument('--negatives', type=int, default=o.negatives)
    p.add_argument('--dropout', type=float, default=o.dropout)
    p.add_argument('--id-dropout', type=float, default=o.id_dropout)
    p.add_argument('--seed', type=int, default=o.seed)
    p.add_argument('--patience', type=int, default=o.patience)
    p.add_argument('--eval-every', type=int, default=o.eval_every)
    p.add_argument('--valid-users', type=int, default=o.valid_users)
    p.add_argument('--holdout', type=int, default=o.holdout, choices=[1, 2],
                   help='1: hold out each last item (npm run pretrain); 2: the last two (npm run eval standard split)')
    return p


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _prepare_corpus(args, log=print):
    """The corpus folder of these inputs, built now unless cached."""
    from . import corpus, readers

    inputs = readers.expand(args.dataset)
    catalogs = readers.expand(args.catalog)
    name = args.name or _name(inputs[0])
    key = corpus.fingerprint(inputs, catalogs, {'format': args.format, 'catalogFormat': args.catalog_format})
    folder = os.path.join(args.cache, f'{name}-{key}')
    if not os.path.exists(os.path.join(folder, 'meta.json')):
        os.makedirs(args.cache, exist_ok=True)
        corpus.build(
            readers.interaction_readers(inputs, args.format),
            readers.catalog_readers(catalogs, args.catalog_format),
            folder,
            name,
            args.partition_mb << 20,
            log,
        )
    return folder, inputs, catalogs, name


def _name(path):
    base = os.path.basename(path.rstrip('/'))
    for ext in ('.gz', '.txt', '.csv', '.tsv', '.jsonl', '.ndjson', '.json'):
        if base.endswith(ext):
            base = base[: -len(ext)]
    return base or 'dataset'


def _job(args, folder, inputs, catalogs, name):
    from .corpus import Corpus

    meta = Corpus(folder).meta
    has_catalog = meta['catalogItems'] > 0
    config = ModelConfig(
        dim=args.dim,
        max_history=args.max_history,
        blocks=args.blocks,
        heads=args.heads,
        ffn_dim=args.ffn or args.dim,
        hash_buckets=args.hash_buckets if args.hash_buckets is not None else (4096 if has_catalog else 0),
        max_tokens=args.max_tokens,
        server_embedding_dim=args.server_embedding_dim,
    )
    if config.dim % config.heads:
        raise SystemExit('--heads must divide --dim')
    options = TrainOptions(
        epochs=args.epochs,
        batch_size=args.batch,
        learning_rate=args.lr,
        negatives=args.negatives,
        dropout=args.dropout,
        id_dropout=args.id_dropout,
        seed=args.seed,
        patience=args.patience,
        eval_every=args.eval_every,
        valid_users=args.valid_users,
        holdout=args.holdout,
    )
    return {
        'corpus': folder,
        'inputs': [os.path.basename(p.rstrip('/')) for p in inputs],
        'catalogs': [os.path.basename(p) for p in catalogs],
        'config': config,
        'options': options,
        'out': args.out or os.path.join('.cache', 'models', f'{name}-torch'),
        'device': args.device,
    }


def _spawned(local_rank, world, job):
    from .train import run, start_rank

    start_rank(local_rank, world, local_rank, job['device'], job.pop('init_method'))
    run(local_rank, world, local_rank, job)


def train(argv):
    args = _train_parser().parse_args(argv)
    if 'RANK' in os.environ and 'WORLD_SIZE' in os.environ:
        # torchrun: this process is one rank. Each machine's first rank builds its corpus copy
        # (into a temporary folder, renamed when complete) while the others wait.
        import torch.distributed as dist

        from .train import run, start_rank

        rank, world = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])
        local_rank = int(os.environ.get('LOCAL_RANK', 0))
        start_rank(rank, world, local_rank, args.device, 'env://')
        if local_rank == 0:
            _prepare_corpus(args)
        dist.barrier()
        job = _job(args, *_prepare_corpus(args))
        job['threads'] = args.threads
        run(rank, world, local_rank, job)
        return
    folder, inputs, catalogs, name = _prepare_corpus(args)
    job = _job(args, folder, inputs, catalogs, name)
    world = max(1, args.processes)
    job['threads'] = args.threads
    job['init_method'] = f'tcp://127.0.0.1:{_free_port()}'
    if world == 1:
        _spawned(0, 1, job)
    else:
        import torch.multiprocessing as mp

        mp.spawn(_spawned, args=(world, job), nprocs=world, join=True)


def score(argv):
    p = argparse.ArgumentParser(prog='localrank_torch score')
    p.add_argument('--model', required=True)
    p.add_argument('--cases', required=True, help='JSON: [{history: [{itemId, type, time, features}], now, candidates: [{id, features, embedding}]}]')
    args = p.parse_args(argv)
    from .scorer import Scorer

    scorer = Scorer.load(args.model)
    with open(args.cases, encoding='utf-8') as f:
        cases = json.load(f)
    out = []
    for c in cases:
        # One history at a time, as the engine asks: the tower is not invariant to batch padding.
        user = scorer.user_states([c['history']], [c['now']])[0]
        items = scorer.item_vectors(c['candidates'])
        out.append({'user': user.tolist(), 'scores': (items @ user).tolist(), 'items': items.tolist()})
    json.dump(out, sys.stdout)


def tokens(argv):
    p = argparse.ArgumentParser(prog='localrank_torch tokens')
    p.add_argument('--buckets', type=int, default=4096)
    p.add_argument('--max-tokens', type=int, default=16)
    args = p.parse_args(argv)
    from .features import feature_buckets, feature_tokens, fnv1a, limit_features

    for line in sys.stdin:
        if not line.strip():
            continue
        value = json.loads(line)
        if isinstance(value, str):
            print(json.dumps({'fnv1a': fnv1a(value)}))
            continue
        # Cut to the engine's limits first, as the corpus cuts a catalogue.
        value, _ = limit_features(value)
        print(json.dumps({'tokens': feature_tokens(value), 'buckets': feature_buckets(value, args.buckets, args.max_tokens)}, ensure_ascii=False))


COMMANDS = {'train': train, 'score': score, 'tokens': tokens}


INSTALL_HINT = (
    "install Debian's PyTorch, which brings numpy: apt-get install -y python3-torch, and run it with "
    '/usr/bin/python3 (where Debian installs it); or pip install torch numpy into another Python and '
    'set PYTHON to it'
)


def missing_modules():
    """The modules training needs that this Python cannot import. A folder that only shares the
    name (this repository's `torch/`, seen from its root) is a namespace package without an origin."""
    return [m for m in ('numpy', 'torch') if getattr(importlib.util.find_spec(m), 'origin', None) is None]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    missing = missing_modules() if argv[0] in ('train', 'score') else []
    if missing:
        raise SystemExit(f'localrank_torch needs {" and ".join(missing)}, which {sys.executable} cannot import: {INSTALL_HINT}.')
    COMMANDS[argv[0]](argv[1:])
