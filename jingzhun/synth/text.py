"""Cell text built column-wise: numpy values in, pyarrow string arrays out, no Python loop per row."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.registry.vocab import NO, YES

# ".5" for 50 cents, ".05" for 5, "" for none: money is written with up to two decimals, no trailing zeros.
_FRACTIONS = pa.array([""] + [f".{c // 10}" if c % 10 == 0 else f".{c:02d}" for c in range(1, 100)],
                      pa.string())


def bytes_matrix_text(matrix: np.ndarray) -> pa.StringArray:
    """One string per row of an (n, width) uint8 matrix of ASCII bytes."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(matrix))


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) ASCII digits of non-negative integers, zero-padded on the left."""
    v = np.asarray(values, dtype=np.int64).copy()
    if len(v) and (v.min() < 0 or v.max() >= 10 ** width):
        raise ValueError(f"values do not fit in {width} digits")
    out = np.empty((len(v), width), dtype=np.uint8)
    for i in range(width - 1, -1, -1):
        out[:, i] = v % 10 + 48
        v //= 10
    return out


def digits_text(values: np.ndarray, width: int) -> pa.StringArray:
    """Zero-padded fixed-width codes ("140826100233")."""
    return bytes_matrix_text(digit_matrix(values, width))


def int_text(values: np.ndarray) -> pa.StringArray:
    return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())


def money_text(cents: np.ndarray) -> pa.StringArray:
    """Yuan with up to two decimals from integer cents: 352050 → "3520.5", 0 → "0"."""
    cents = np.asarray(cents, dtype=np.int64)
    if len(cents) and cents.min() < 0:
        raise ValueError("negative amounts are not generated")
    whole = pa.array(cents // 100).cast(pa.string())
    return pc.binary_join_element_wise(whole, _FRACTIONS.take(pa.array(cents % 100)), "")


def take_text(words: Sequence[str], index: np.ndarray) -> pa.StringArray:
    """words[index], with index -1 meaning a blank cell."""
    vocabulary = pa.array(list(words) + [""], pa.string())
    index = np.asarray(index, dtype=np.int64)
    return vocabulary.take(pa.array(np.where(index < 0, len(words), index)))


def bool_text(values: np.ndarray, blank: np.ndarray | None = None) -> pa.StringArray:
    """是/否, blank where `blank` is true."""
    index = np.where(np.asarray(values, dtype=bool), 0, 1)
    if blank is not None:
        index = np.where(blank, -1, index)
    return take_text([YES, NO], index)


def blank_where(text: pa.Array, mask: np.ndarray) -> pa.StringArray:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar("", pa.string()), text)


def concat_text(*parts: pa.Array) -> pa.StringArray:
    return pc.binary_join_element_wise(*parts, "")


def replace_rows(text: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """`text` with rows[i] replaced by values[i] (rows distinct)."""
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return text
    order = np.argsort(rows, kind="stable")
    mask = np.zeros(len(text), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(text, pa.array(mask), pa.array(values, pa.string()).take(pa.array(order)))
