"""公民身份号码 (GB 11643-1999), computed for whole columns at once.

18 characters: 6-digit region + birth date YYYYMMDD + 3-digit sequence (odd last digit for men, even
for women) + the GB 11643 check character (`jingzhun.registry.idnumbers.check_characters`).

The region is where the number was issued, and a number is never renumbered: people of 绛县 born before
the 2000 renumbering of 运城 carry 142731, not 140826. `region_by_birth_year` reproduces that from the
code history shipped with python-stdnum (the same data its validator checks), so the numbers are valid
in that sense too; counties without a known history get their current code for everyone.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from jingzhun.registry.idnumbers import check_characters

ALPHABET = np.frombuffer(b"0123456789X", dtype=np.uint8)  # what a check character may be
FIRST_YEAR = 1900


def _parse_history(text: str) -> list[tuple[int | None, int | None, str]]:
    """'[2000-]绛县' or '[-2000]绛县,[...]…' → [(start, end, name)]; no brackets = always."""
    entries = []
    for part in text.split(","):
        if part.startswith("["):
            span, name = part[1:].split("]", 1)
            start, end = span.split("-")
            entries.append((int(start) if start else None, int(end) if end else None, name))
        else:
            entries.append((None, None, part))
    return entries


@lru_cache(maxsize=64)
def _region_history(county: str, name: str) -> tuple[tuple[int, int | None, int | None], ...]:
    """(code, start, end) of every region code stdnum knows for a county of this name in its province."""
    try:
        from stdnum import numdb
        db = numdb.get("cn/loc")
    except Exception:  # pragma: no cover - stdnum is a dependency, but the generator must not need it
        return ()
    found = []
    for length, low, high, _props, children in db.prefixes:
        if length != 2 or low != high or low != county[:2]:
            continue
        for clen, clow, chigh, cprops, _ in children:
            if clen != 4 or clow != chigh or "county" not in cprops:
                continue
            for start, end, entry_name in _parse_history(cprops["county"]):
                if entry_name == name:
                    found.append((int(low + clow), start, end))
    return tuple(found)


def region_by_birth_year(county: str, name: str, last_year: int) -> np.ndarray:
    """Region code (int) for each birth year FIRST_YEAR..last_year (index = year - FIRST_YEAR)."""
    years = np.arange(FIRST_YEAR, last_year + 1)
    current = int(county)
    out = np.full(len(years), current, dtype=np.int64)
    history = _region_history(county, name)
    if not history:
        return out
    valid_current = np.zeros(len(years), dtype=bool)
    for code, start, end in history:
        if code == current:
            valid_current |= ((start is None) | (years >= (start or 0))) & (years <= (end or 9999))
    if not any(code == current for code, _s, _e in history):
        valid_current[:] = True  # stdnum does not know the current code: keep it everywhere
    covered = valid_current.copy()
    for code, start, end in sorted(history, key=lambda h: -(h[1] or 0)):
        if code == current:
            continue
        valid = (years >= (start or 0)) & (years <= (end or 9999)) & ~covered
        out[valid] = code
        covered |= valid
    if not covered.all():  # before any code stdnum knows: the oldest one
        oldest = min(history, key=lambda h: h[1] or 0)[0]
        out[~covered] = oldest
    return out


def id_matrix(region: np.ndarray, birth: np.ndarray, male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, 18) uint8 ASCII matrix of distinct ID numbers.

    `region` is the 6-digit code of each person, `birth` their birth dates (datetime64[D]), `male` a bool
    array. The sequence number is drawn so that numbers are unique: people sharing region, birth date and
    sex get distinct sequences (at most 499 of them per day and sex, the room the standard leaves).
    """
    from .text import digit_matrix

    n = len(birth)
    days = birth.astype("datetime64[D]").astype(np.int64)
    key = (region.astype(np.int64) * 200_000 + (days + 40_000)) * 2 + male.astype(np.int64)
    order = np.lexsort((rng.random(n), key))
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    rank_sorted = np.arange(n) - first[group]
    if n and rank_sorted.max() >= 499:
        raise ValueError("同一出生日期、性别的人数超过身份证顺序码容量")
    offset = rng.integers(0, 499, len(first))
    j_sorted = (offset[group] + rank_sorted * 137) % 499 + 1  # 1..499, distinct within a group
    j = np.empty(n, dtype=np.int64)
    j[order] = j_sorted
    seq = 2 * j - male.astype(np.int64)  # men odd (1..997), women even (2..998)

    y = birth.astype("datetime64[Y]")
    m = birth.astype("datetime64[M]")
    year = y.astype(np.int64) + 1970
    month = (m - y.astype("datetime64[M]")).astype(np.int64) + 1
    day = (birth - m.astype("datetime64[D]")).astype(np.int64) + 1
    body_value = region.astype(np.int64) * 10 ** 11 + (year * 10_000 + month * 100 + day) * 1000 + seq
    out = np.empty((n, 18), dtype=np.uint8)
    out[:, :17] = digit_matrix(body_value, 17)
    out[:, 17] = check_characters(out[:, :17])
    return out
