"""Fine-tuning SPLADE for product search: ``bench train`` (locally, or on Modal GPUs).

- :mod:`.config`: the typed training config (YAML + ``--set`` overrides), forwarded whole to Modal.
- :mod:`.data`: (query, positive) pairs from train splits only, and the leakage guard.
- :mod:`.mining`: dev metrics and ANCE-style hard negatives through the harness's index machinery.
- :mod:`.trainer` / :mod:`.fitting`: rounds, checkpoints and resume; sentence-transformers training.
- :mod:`.registry`: trained models, resolved by ``bench run -r splade-ft[@NAME]``.
- :mod:`.modal_app` / :mod:`.remote`: the Modal app and the launcher (credentials, sweep, download).
"""
