"""localrank's two-tower model and pretraining in PyTorch: the same tensors, math, token hashing,
loss and export format as the TypeScript engine and Node trainer, trained data-parallel."""
