"""Layer 10, the application: the ``bench`` command line, the offline demo and ``bench reproduce``.

Nothing imports it.
"""
