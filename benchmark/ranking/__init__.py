"""Layer 4, ranking: runs (trec_eval order), metrics and evaluation, result records and their summary.

Imports core, datasets and store only.
"""
