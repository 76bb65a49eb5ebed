"""Model configuration and training defaults, the same as src/training/pretrain/pretrain.ts."""
import math
from dataclasses import asdict, dataclass, field

EVENT_TYPES = ['impression', 'view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase']

# Spacing of synthetic event times for logs without timestamps (src/training/data/dataset.ts).
SYNTHETIC_GAP_MS = 24 * 3600 * 1000
SYNTHETIC_START_MS = 1704067200000  # Date.UTC(2024, 0, 1)

# Characters of an item's text the device keeps (LIMITS.maxTextLength in src/shared/limits.ts).
MAX_TEXT_LENGTH = 512


@dataclass
class ModelConfig:
    """`ScorerConfig` of src/worker/model/tower.ts; field names are written to the manifest in camelCase."""

    dim: int = 64
    max_history: int = 50
    blocks: int = 2
    heads: int = 1
    ffn_dim: int = 64
    hash_buckets: int = 0
    max_tokens: int = 16
    server_embedding_dim: int = 0
    recency_buckets: int = 24
    event_types: list = field(default_factory=lambda: list(EVENT_TYPES))

    def manifest(self):
        return {
            'dim': self.dim,
            'maxHistory': self.max_history,
            'blocks': self.blocks,
            'heads': self.heads,
            'ffnDim': self.ffn_dim,
            'hashBuckets': self.hash_buckets,
            'maxTokens': self.max_tokens,
            'serverEmbeddingDim': self.server_embedding_dim,
            'recencyBuckets': self.recency_buckets,
            'eventTypes': list(self.event_types),
        }

    @staticmethod
    def from_manifest(c):
        return ModelConfig(
            dim=c['dim'],
            max_history=c['maxHistory'],
            blocks=c['blocks'],
            heads=c['heads'],
            ffn_dim=c['ffnDim'],
            hash_buckets=c['hashBuckets'],
            max_tokens=c['maxTokens'],
            server_embedding_dim=c['serverEmbeddingDim'],
            recency_buckets=c['recencyBuckets'],
            event_types=list(c['eventTypes']),
        )


@dataclass
class TrainOptions:
    """`PretrainOptions` of src/training/pretrain/pretrain.ts. `batch_size` is the global batch."""

    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 0.002
    negatives: int = 512
    dropout: float = 0.3
    id_dropout: float = 0.1
    seed: int = 1
    patience: int = 2
    eval_every: int = 2
    valid_users: int = 2000
    # 1: train on all but each user's last item and early-stop on it (`npm run pretrain`);
    # 2: also hold out the second-last (the split of `npm run eval`'s standard protocol).
    holdout: int = 1

    def manifest(self):
        return {
            'epochs': self.epochs,
            'batchSize': self.batch_size,
            'learningRate': self.learning_rate,
            'negatives': self.negatives,
            'dropout': self.dropout,
            'idDropout': self.id_dropout,
            'seed': self.seed,
            'patience': self.patience,
            'evalEvery': self.eval_every,
            'validUsers': self.valid_users,
            'holdout': self.holdout,
        }


def as_dict(obj):
    return asdict(obj)


def recency_bucket(delta_ms, buckets):
    """`recencyBucket` of src/worker/model/tower.ts: log2 of minutes since the last event, clipped."""
    minutes = max(0.0, float(delta_ms)) / 60000.0
    return min(buckets - 1, int(math.floor(math.log2(1 + minutes))))
