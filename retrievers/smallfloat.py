"""Lucene's one-byte document-length norm (``SmallFloat.intToByte4`` / ``byte4ToInt``).

Lucene's ``BM25Similarity`` does not score with a document's exact length: it stores the length as
one byte per document and scores with the decoded length. Codes 0..23 are lengths as they are; from
24 on a code holds ``length - 24`` as a float-like number with 4 significant bits (3 stored, the
leading one implicit), rounded *down*. Lengths up to 39 come back exact, then in ever coarser steps:
41 -> 40, 43 -> 42, 100 -> 96, 300 -> 280, 1000 -> 984 (at most ~12% shorter).

Written from the behaviour of ``org.apache.lucene.util.SmallFloat`` (Lucene 7 and later).
"""

from __future__ import annotations

_MANTISSA_BITS = 3
_MANTISSA_MASK = (1 << _MANTISSA_BITS) - 1  # 0b111: the stored bits below the implicit leading one


def long_to_int4(value: int) -> int:
    """Order-preserving code of a non-negative integer that keeps its 4 most significant bits."""
    if value < 0:
        raise ValueError(f"only non-negative values can be encoded, got {value}")
    bits = value.bit_length()
    if bits <= _MANTISSA_BITS:  # 0..7: "subnormal", stored as is
        return value
    shift = bits - (_MANTISSA_BITS + 1)
    mantissa = (value >> shift) & _MANTISSA_MASK
    return ((shift + 1) << _MANTISSA_BITS) | mantissa


def int4_to_long(code: int) -> int:
    """The smallest integer that :func:`long_to_int4` maps to ``code``."""
    mantissa = code & _MANTISSA_MASK
    shift = (code >> _MANTISSA_BITS) - 1
    if shift < 0:
        return mantissa
    return (mantissa | (1 << _MANTISSA_BITS)) << shift


_INT_MAX = 2**31 - 1
# codes below this value are lengths stored exactly; the rest of the byte holds long_to_int4 codes
EXACT_BELOW = 255 - long_to_int4(_INT_MAX)


def int_to_byte4(length: int) -> int:
    """Lucene's one-byte code (0..255) of a length (0 <= length < 2**31)."""
    if not 0 <= length <= _INT_MAX:
        raise ValueError(f"a length must be in [0, 2**31), got {length}")
    if length < EXACT_BELOW:
        return length
    return EXACT_BELOW + long_to_int4(length - EXACT_BELOW)


def byte4_to_int(code: int) -> int:
    """The length Lucene scores with for a one-byte code (0..255)."""
    if not 0 <= code <= 255:
        raise ValueError(f"a one-byte code must be in [0, 255], got {code}")
    if code < EXACT_BELOW:
        return code
    return EXACT_BELOW + int4_to_long(code - EXACT_BELOW)


def lucene_length(length: int) -> int:
    """The document length Lucene's BM25 sees: the length after the one-byte round trip."""
    return byte4_to_int(int_to_byte4(length))


# the length every code decodes to (Lucene's BM25Similarity.LENGTH_TABLE)
LENGTH_TABLE: tuple[int, ...] = tuple(byte4_to_int(code) for code in range(256))
