"""Causes of poverty and incomes of a synthetic registry, consistent with each family.

The main cause and up to two others are drawn Plackett–Luce from weights that follow the family (illness
only where someone is ill, schooling only where someone is at school, …); incomes are drawn around the
poverty line by 脱贫状态, at the level of the income year (shapes.income_level), split into the template's
income columns in cents, with transfers (pensions, 低保, 特困) that add up from the members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jingzhun.registry import vocab

from .codes import C, CAUSES, H_CHRONIC, H_DISABLED, H_SERIOUS, ST_EXITED, ST_POOR, ST_REMOVED, ST_RETURNED


def households_with(m_hh: np.ndarray, flag: np.ndarray, H: int) -> np.ndarray:
    """Per household: whether any of its members has `flag`."""
    return np.bincount(m_hh, weights=flag, minlength=H) > 0


@dataclass
class Incomes:
    """Who is ill (per member), the causes (main, ranked, how many others), and the money columns in cents."""

    ill: np.ndarray
    h_main: np.ndarray
    ranked: np.ndarray
    n_other: np.ndarray
    n_normal: np.ndarray
    not_out: np.ndarray
    wage_c: np.ndarray
    gross_c: np.ndarray
    prop_c: np.ndarray
    transfer_c: np.ndarray
    expense_c: np.ndarray
    net_c: np.ndarray
    per_capita_c: np.ndarray


def draw_incomes(rng: np.random.Generator, *, H: int, M: int, m_hh: np.ndarray, m_age: np.ndarray,
                 m_normal: np.ndarray, health: np.ndarray, attending: np.ndarray, able: np.ndarray,
                 works_away: np.ndarray, h_status: np.ndarray, dibao: np.ndarray, tekun: np.ndarray,
                 level: float, floor: float) -> Incomes:
    """Causes and incomes of H households of M members, drawn from `rng` after the members' attributes.

    `level` scales every amount (incomes of the income year against 2020's); 已脱贫 households are drawn
    above `floor` (yuan per person, the highest line the income year is judged by) plus a margin.
    """
    def u(n: int = H) -> np.ndarray:
        return rng.random(n)

    def any_in_household(flag: np.ndarray) -> np.ndarray:
        return households_with(m_hh, flag, H)

    # causes of poverty, consistent with the family
    ill = (health == H_CHRONIC) | (health == H_SERIOUS)
    h_ill = any_in_household(ill & m_normal)
    h_disabled = any_in_household((health == H_DISABLED) & m_normal)
    h_student = any_in_household(attending & m_normal)
    h_labourers = np.bincount(m_hh, weights=able & m_normal, minlength=H)
    h_worker = any_in_household(works_away)
    base = np.zeros(len(CAUSES))
    for cause, w in ((vocab.PovertyCause.DISASTER, 0.03), (vocab.PovertyCause.NO_LAND, 0.04),
                     (vocab.PovertyCause.NO_WATER, 0.02), (vocab.PovertyCause.NO_SKILLS, 0.22),
                     (vocab.PovertyCause.NO_CAPITAL, 0.22), (vocab.PovertyCause.POOR_TRANSPORT, 0.03),
                     (vocab.PovertyCause.LOW_MOTIVATION, 0.06), (vocab.PovertyCause.OTHER, 0.01)):
        base[C[cause]] = w
    cause_w = np.tile(base, (H, 1))
    cause_w[:, C[vocab.PovertyCause.ILLNESS]] = np.where(h_ill, 0.9, 0.0)
    cause_w[:, C[vocab.PovertyCause.DISABILITY]] = np.where(h_disabled, 0.6, 0.0)
    cause_w[:, C[vocab.PovertyCause.SCHOOLING]] = np.where(h_student, 0.35, 0.0)
    cause_w[:, C[vocab.PovertyCause.NO_LABOUR]] = np.where(h_labourers <= 1, 0.4, 0.0)
    with np.errstate(divide="ignore"):
        keys = np.log(cause_w) + rng.gumbel(size=cause_w.shape)  # Plackett–Luce: first = main cause
    ranked = np.argsort(-keys, axis=1)[:, :3]
    h_main = ranked[:, 0]
    n_other = rng.choice(3, H, p=[0.45, 0.35, 0.20])

    # incomes
    n_normal = np.bincount(m_hh, weights=m_normal, minlength=H).astype(np.int64)
    z = rng.standard_normal(H)
    per_capita = np.select(
        [h_status == ST_EXITED, h_status == ST_REMOVED, h_status == ST_RETURNED],
        [8800 * np.exp(0.42 * z), 13000 * np.exp(0.45 * z), np.clip(3300 * np.exp(0.2 * z), 1500, 6000)],
        np.clip(3600 * np.exp(0.22 * z), 1500, 6000)) * level
    lift = u()
    per_capita = np.where((h_status == ST_EXITED) & (per_capita < floor + 200),
                          floor + 200 + 2500 * level * lift, per_capita)
    net = np.minimum(per_capita * n_normal, 95_000.0)
    m_transfer = (np.where(m_age >= 60, rng.uniform(1236, 1560, M), 0.0)
                  + np.where(dibao, rng.uniform(2400, 4300, M), 0.0)
                  + np.where(tekun, rng.uniform(5500, 7300, M), 0.0)) * m_normal * level
    transfer = np.bincount(m_hh, weights=m_transfer, minlength=H) + rng.uniform(100, 900, H) * level
    # transfers alone can exceed the drawn income (低保, 特困, pensions): then they are most of it, and all
    # of it for households still poor
    not_out = (h_status == ST_POOR) | (h_status == ST_RETURNED)
    transfer_share = np.where(not_out, rng.uniform(0.85, 1.0, H), rng.uniform(0.6, 0.95, H))
    net = np.where(transfer > 0.95 * net, transfer / transfer_share, net)
    rest = net - transfer
    wage = rest * np.where(h_worker, rng.uniform(0.55, 0.92, H), rng.uniform(0.0, 0.3, H))
    prop = np.where(u() < 0.25, rest * rng.uniform(0.005, 0.05, H), 0.0)
    business = rest - wage - prop
    too_small = business < 200
    wage = np.where(too_small, wage + business, wage)
    business = np.where(too_small, 0.0, business)
    expense = business * rng.uniform(0.25, 0.9, H)
    gross = business + expense
    wage_c = np.round(wage / 10).astype(np.int64) * 1000
    transfer_c = np.round(transfer * 100).astype(np.int64)
    prop_c = np.round(prop).astype(np.int64) * 100
    gross_c = np.where(u() < 0.3, np.round(gross * 10).astype(np.int64) * 10,
                       np.round(gross).astype(np.int64) * 100)
    expense_c = np.round(expense).astype(np.int64) * 100
    net_c = wage_c + gross_c + prop_c + transfer_c - expense_c
    per_capita_c = (2 * net_c + n_normal) // (2 * n_normal)  # rounded half up to the cent

    return Incomes(ill=ill, h_main=h_main, ranked=ranked, n_other=n_other, n_normal=n_normal, not_out=not_out, wage_c=wage_c, gross_c=gross_c, prop_c=prop_c, transfer_c=transfer_c, expense_c=expense_c, net_c=net_c, per_capita_c=per_capita_c)
