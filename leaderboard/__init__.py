"""Leaderboard and paired significance tests, built from result files alone (`bench leaderboard`, `bench compare`).

Public API:

* :func:`leaderboard.build.build_leaderboard` -- results folder -> LEADERBOARD.md + plots (atomic, byte-identical)
* :func:`leaderboard.commands.compare_results` -- result files or retriever names -> :class:`Comparison` + markdown
* :func:`leaderboard.compare.compare_systems` -- all-pairs paired tests with correction, effects and letters
* :mod:`leaderboard.significance` (permutation test, t-test), :mod:`leaderboard.correction` (Holm, Bonferroni),
  :mod:`leaderboard.effect` (bootstrap interval, win/tie/loss), :class:`leaderboard.options.StatOptions`
* :func:`leaderboard.collect.scan` -- load a folder, report bad files, group by comparability key
"""
