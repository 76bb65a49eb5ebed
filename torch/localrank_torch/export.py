"""The model folder the engine loads unchanged: `manifest.json` (format `localrank-model/1`,
tensor shapes and offsets, item ids, config, SHA-256 of the weights, the catalogue's content
vocabulary), `weights.bin` (float32 little-endian), plus `model-card.md` and `report.json`."""
import datetime
import hashlib
import json
import os

from .model import export_tensors


def export_model(tensors, config, item_ids, name, content=None, training=None, vocabulary=None):
    """(manifest, weights bytes) of trained tensors; the one place a manifest is made."""
    chunks = []
    entries = []
    offset = 0
    for tensor_name, array in export_tensors(tensors, config, content):
        data = array.tobytes()
        entries.append({'name': tensor_name, 'shape': list(array.shape), 'offset': offset})
        chunks.append(data)
        offset += len(data)
    weights = b''.join(chunks)
    sha256 = hashlib.sha256(weights).hexdigest()
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d')
    model_config = config.manifest()
    if training is not None:
        model_config['training'] = training
    manifest = {
        'format': 'localrank-model/1',
        'version': f'{name}-{date}-{sha256[:8]}',
        'weights': {'path': 'weights.bin', 'byteLength': len(weights), 'sha256': sha256},
        'tensors': entries,
        'items': {'ids': list(item_ids)},
        'config': model_config,
    }
    if vocabulary:
        manifest['vocabulary'] = {'tokens': list(vocabulary)}
    return manifest, weights


def write_model(folder, manifest, weights, report=None):
    """Writes the folder: weights first, the manifest last (a reader never sees a manifest whose
    weights are not there yet), then the report and the model card."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, manifest['weights']['path']), 'wb') as f:
        f.write(weights)
    with open(os.path.join(folder, 'manifest.json'), 'w', encoding='utf-8') as f:
        f.write(json.dumps(manifest, ensure_ascii=False, separators=(',', ':')) + '\n')
    if report is not None:
        with open(os.path.join(folder, 'report.json'), 'w', encoding='utf-8') as f:
            f.write(json.dumps(report, ensure_ascii=False, indent=2) + '\n')
        with open(os.path.join(folder, 'model-card.md'), 'w', encoding='utf-8') as f:
            f.write(model_card(manifest, report))


def _fmt(value, digits=4):
    return f'{value:.{digits}f}' if isinstance(value, float) else str(value)


def model_card(manifest, report):
    c = manifest['config']
    data = report['data']
    run = report['training']
    valid = report.get('validation') or {}
    lines = [
        f'# Model card: {manifest["version"]}',
        '',
        'A localrank two-tower model (format `localrank-model/1`): an item tower (id table, hashed',
        'content tokens, optional server-embedding projection) and a causal self-attentive user tower',
        'over the recent history. It reranks candidates on the device; nothing about the user leaves it.',
        '',
        '## Training data',
        '',
        f'- Inputs: {", ".join(data["inputs"])}' + (f'; catalogue: {", ".join(data["catalogs"])}' if data['catalogs'] else ''),
        f'- {data["users"]} users, {data["events"]} events, {data["items"]} items in the id table'
        + (f'; {data["catalogItems"]} catalogue items, {data["vocabulary"]} content tokens' if data['catalogItems'] else ''),
        f'- Times: {"real timestamps" if data["timestamps"] else "none in the log (evenly spaced synthetic times)"}',
        f'- Split: each user with 3 or more events holds out the last {run["options"]["holdout"]}; '
        'the held-out item just after the training events validates (early stopping)',
        '',
        '## Training',
        '',
        f'- Trainer: PyTorch {run["torch"]} DistributedDataParallel, {run["processes"]} process(es) on {run["device"]} ({run["backend"]})',
        f'- Epochs run: {run["epochsRun"]}, best at epoch {run["bestEpoch"]}; {run["seconds"]:.0f} s; '
        f'{run["eventsPerSecond"]:.0f} training events per second (mean over epochs)',
        f'- Global batch {run["options"]["batchSize"]}, Adam lr {run["options"]["learningRate"]}, '
        f'{run["options"]["negatives"]} shared uniform negatives, dropout {run["options"]["dropout"]}, '
        f'id dropout {run["options"]["idDropout"]}, seed {run["options"]["seed"]}',
        '',
        '## Architecture',
        '',
        f'- dim {c["dim"]}, {c["blocks"]} block(s), {c["heads"]} head(s), feed-forward {c["ffnDim"]}, '
        f'history {c["maxHistory"]} events, {c["recencyBuckets"]} recency buckets',
        f'- Content hash buckets {c["hashBuckets"]} (at most {c["maxTokens"]} tokens per item), '
        f'server embeddings {c["serverEmbeddingDim"] or "none"}',
        f'- Weights: {manifest["weights"]["byteLength"]} bytes, SHA-256 `{manifest["weights"]["sha256"]}`',
        '',
        '## Validation',
        '',
    ]
    if valid:
        lines += [
            f'{report["validationUsers"]} users, the held-out item against 99 uniformly sampled items the user never',
            'interacted with (ties ranked pessimistically):',
            '',
            '| ' + ' | '.join(valid) + ' |',
            '|' + '---|' * len(valid),
            '| ' + ' | '.join(_fmt(v) for v in valid.values()) + ' |',
        ]
    else:
        lines.append('No validation users (no user has 3 or more events).')
    lines += [
        '',
        '## Intended use and limits',
        '',
        '- Reranking a shop\'s own candidates on the device, personalised by the visitor\'s local history.',
        '- Items absent from the id table are placed by their content features only; without a catalogue,',
        '  unknown items all share one vector.',
        '- The model holds item ids and catalogue tokens, never user ids or histories.',
        '- Offline metrics on sampled negatives overstate what full-catalogue ranking achieves.',
        '',
    ]
    return '\n'.join(lines)
