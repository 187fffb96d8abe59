"""Families of a synthetic registry: who lives in each household, with consistent ages, sexes, surnames.

Ten slots per household (head, spouse, three children, a daughter-in-law, two grandchildren, the head's
parents) filled by household type, capped at seven members, then flattened to one row per member.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import names
from .codes import R_DAUGHTER, R_DIL, R_FATHER, R_GRANDDAUGHTER, R_GRANDSON, R_HEAD, R_MOTHER, R_SON, R_SPOUSE
from .shapes import (HEAD_AGE, HEAD_MALE_P, MAX_MEMBERS, SLOTS, SL_CHILD1, SL_CHILD2, SL_CHILD3, SL_DIL,
                     SL_FATHER, SL_GC1, SL_GC2, SL_HEAD, SL_MOTHER, SL_SPOUSE, TYPE_P, T_NUCLEAR,
                     T_OLD_COUPLE, T_SINGLE, T_THREE_GEN)


@dataclass
class Families:
    """Each household's type and, per member: household index, age, sex, 与户主关系, head or not, surname."""

    h_type: np.ndarray
    m_hh: np.ndarray
    m_age: np.ndarray
    m_male: np.ndarray
    m_relation: np.ndarray
    m_head: np.ndarray
    m_surname: np.ndarray


def draw_families(rng: np.random.Generator, H: int) -> Families:
    """The families of H households, drawn from `rng` (the generator's next draws follow these)."""
    def u(n: int = H) -> np.ndarray:
        return rng.random(n)

    h_type = rng.choice(len(TYPE_P), H, p=TYPE_P)
    head_male = u() < HEAD_MALE_P[h_type]
    head_age = rng.integers(HEAD_AGE[h_type, 0], HEAD_AGE[h_type, 1] + 1)

    present = np.zeros((H, SLOTS), dtype=bool)
    age = np.zeros((H, SLOTS), dtype=np.int64)
    male = np.zeros((H, SLOTS), dtype=bool)
    relation = np.zeros((H, SLOTS), dtype=np.int64)

    present[:, SL_HEAD], age[:, SL_HEAD], male[:, SL_HEAD], relation[:, SL_HEAD] = True, head_age, head_male, R_HEAD

    spouse_p = np.select([h_type == T_OLD_COUPLE, h_type == T_NUCLEAR, h_type == T_THREE_GEN],
                         [1.0, np.where(head_male, 0.88, 0.15), np.where(head_male, 0.85, 0.15)], 0.0)
    has_spouse = u() < spouse_p
    spouse_age = head_age + np.where(head_male, rng.integers(-6, 3, H), rng.integers(0, 7, H))
    spouse_age = np.clip(spouse_age, np.where(h_type == T_OLD_COUPLE, 55, 18), 99)
    present[:, SL_SPOUSE], age[:, SL_SPOUSE], male[:, SL_SPOUSE] = has_spouse, spouse_age, ~head_male
    relation[:, SL_SPOUSE] = R_SPOUSE

    # children are dated from the younger parent: 20–34 years younger, so 20–40 younger than the head
    parent_age = np.where(has_spouse, np.minimum(head_age, spouse_age), head_age)
    n_children = np.select(
        [h_type == T_NUCLEAR, h_type == T_THREE_GEN, h_type == T_OLD_COUPLE],
        [rng.choice(4, H, p=[0.10, 0.35, 0.40, 0.15]), 1 + rng.choice(3, H, p=[0.70, 0.22, 0.08]),
         (u() < 0.15).astype(np.int64)], 0)
    for k, slot in enumerate((SL_CHILD1, SL_CHILD2, SL_CHILD3)):
        gap = rng.integers(20, np.clip(np.minimum(34, parent_age), 20, None) + 1)
        child_age = np.clip(parent_age - gap, 0, None)
        child_male = u() < 0.52
        if slot == SL_CHILD1:  # in a three-generation household the first child is the married son
            three = h_type == T_THREE_GEN
            son_age = np.maximum(parent_age - rng.integers(22, 35, H), 20)
            child_age = np.where(three, son_age, child_age)
            child_male = child_male | three
        present[:, slot], age[:, slot], male[:, slot] = n_children > k, child_age, child_male
        relation[:, slot] = np.where(child_male, R_SON, R_DAUGHTER)

    three_gen = h_type == T_THREE_GEN
    son_age = age[:, SL_CHILD1]
    present[:, SL_DIL] = three_gen & (u() < 0.85)
    age[:, SL_DIL] = np.clip(son_age + rng.integers(-5, 3, H), 18, None)
    relation[:, SL_DIL] = R_DIL
    n_grandchildren = np.where(three_gen, rng.choice(3, H, p=[0.10, 0.50, 0.40]), 0)
    for k, slot in enumerate((SL_GC1, SL_GC2)):
        gc_male = u() < 0.52
        gap = rng.integers(20, np.clip(np.minimum(32, son_age), 20, None) + 1)
        present[:, slot] = n_grandchildren > k
        age[:, slot] = np.clip(son_age - gap, 0, None)
        male[:, slot] = gc_male
        relation[:, slot] = np.where(gc_male, R_GRANDSON, R_GRANDDAUGHTER)

    has_parents = ((h_type == T_NUCLEAR) & (u() < 0.18)) | ((h_type == T_SINGLE) & (u() < 0.5))
    which = rng.choice(3, H, p=[0.3, 0.2, 0.5])  # both, father only, mother only
    present[:, SL_FATHER] = has_parents & (which != 2)
    present[:, SL_MOTHER] = has_parents & (which != 1)
    age[:, SL_FATHER] = np.minimum(head_age + rng.integers(22, 39, H), 99)
    age[:, SL_MOTHER] = np.minimum(head_age + rng.integers(20, 36, H), 99)
    male[:, SL_FATHER] = True
    relation[:, SL_FATHER], relation[:, SL_MOTHER] = R_FATHER, R_MOTHER

    present &= np.cumsum(present, axis=1) <= MAX_MEMBERS

    # surnames: children and grandchildren take the family's (the head's, or a female head's husband's)
    head_surname = names.surname_index(rng, H)
    spouse_surname = names.surname_index(rng, H)
    own_surname = names.surname_index(rng, H * 2).reshape(H, 2)
    family_surname = np.where(~head_male & has_spouse, spouse_surname,
                              np.where(~head_male & (u() < 0.6), own_surname[:, 0], head_surname))
    surname = np.empty((H, SLOTS), dtype=np.int64)
    surname[:, [SL_HEAD, SL_FATHER]] = head_surname[:, None]
    surname[:, SL_SPOUSE] = spouse_surname
    surname[:, [SL_CHILD1, SL_CHILD2, SL_CHILD3, SL_GC1, SL_GC2]] = family_surname[:, None]
    surname[:, [SL_DIL, SL_MOTHER]] = own_surname

    # flattened to members
    m_hh, m_slot = np.nonzero(present)
    m_age = age[m_hh, m_slot]
    m_male = male[m_hh, m_slot]
    m_relation = relation[m_hh, m_slot]
    m_head = m_slot == SL_HEAD
    m_surname = surname[m_hh, m_slot]

    return Families(h_type=h_type, m_hh=m_hh, m_age=m_age, m_male=m_male, m_relation=m_relation, m_head=m_head,
                    m_surname=m_surname)
