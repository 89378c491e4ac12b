"""Looking inside a ranking: why a product ranks where it does (``bench explain``), and what separates two
systems' runs (``bench diff``). Reads the indexes, models and result files the harness already has; encodes only
the queries asked about."""
