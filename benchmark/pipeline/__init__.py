"""Layer 6, pipeline: one system end to end (load data, index, search, rescore, evaluate, save).

Imports everything below it (core, datasets, store, ranking, retrievers), never fusion, training, leaderboard or the app.
"""
