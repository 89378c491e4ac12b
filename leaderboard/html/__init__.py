"""The leaderboard as one self-contained web page (``bench leaderboard RESULTS --html OUT.html``).

The page holds the same comparability-separated tables as the markdown (sortable), the significance letters
with their legend, a quality-vs-latency SVG per table, the provenance and reproduce command of every row, and a
per-query view comparing two systems (per-query metric deltas, each query expandable to both systems' top hits
with their judgements, from the TREC run files and the dataset's qrels).

Files: :mod:`.markup` (escaping: every text from a result file or a dataset goes through it), :mod:`.tables`,
:mod:`.svg`, :mod:`.queries` (the per-query data), :mod:`.page` (the document), :mod:`.build` (writing it);
``page.css`` and ``page.js`` are inlined. No network at view time, no inline event handlers, and a Content
Security Policy that lets only the page's own script and style run.
"""
