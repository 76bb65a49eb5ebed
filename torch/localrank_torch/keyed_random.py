"""Counter-based uniform numbers: a pure function of (seed, keys). Id dropout draws one per item
row this way, so a row is hidden or kept alike on every rank without drawing for the whole table."""
import torch

_M = 0xFFFFFFFF


def mix32(x):
    """A 32-bit integer finaliser (lowbias32) on int64 tensors holding values in [0, 2^32)."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & _M
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & _M
    return x ^ (x >> 16)


def combine(a, b):
    return mix32(a ^ mix32(b & _M))


def uniform(seed, *keys):
    """Uniform [0, 1) float32 numbers for broadcast integer key tensors (int64)."""
    h = mix32(torch.as_tensor(seed & _M, dtype=torch.int64, device=keys[0].device))
    for k in keys:
        h = combine(h, k)
    return h.to(torch.float64).mul_(1.0 / 4294967296.0).to(torch.float32)
