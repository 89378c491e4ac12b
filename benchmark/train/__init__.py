"""Fine-tuning SPLADE for product search: ``bench train`` (locally, or on Modal GPUs).

- :mod:`.config`: the typed training config (YAML + ``--set`` overrides), forwarded whole to Modal.
- :mod:`.data`: (query, positive) pairs from train splits only, and the leakage guard.
- :mod:`.mining`: dev metrics and ANCE-style hard negatives through the harness's index machinery.
- :mod:`.trainer` / :mod:`.fitting`: rounds, checkpoints and resume; sentence-transformers training, its
  progress (:mod:`benchmark.core.progress`) and the run's :mod:`.metrics_file`; experiment :mod:`.trackers`.
- ``retrievers.trained_models``: the registry of trained models, resolved by ``bench run -r splade-ft[@NAME]``;
  :mod:`.model_admin` (``bench models list/show/rm/export``) and :mod:`.hub_push` (``bench models push``).
- :mod:`.modal_app` / :mod:`.remote`: the Modal app and the launcher (credentials, sweep, download);
  :mod:`.modal_encode`: catalog encoding on Modal GPUs (``--encode-on modal``).
"""
