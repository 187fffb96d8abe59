"""Vocabulary indices shared by the generator and the error injector.

The generator works with integer indices into the vocabularies of `jingzhun.registry.vocab` (the
template's words, in that order) and turns them into text only at the end.
"""

from __future__ import annotations

import numpy as np

from jingzhun.registry import vocab

STANDARDS = list(vocab.IdentificationStandard.values)
ATTRIBUTES = list(vocab.HouseholdAttribute.values)
STATUSES = list(vocab.PovertyStatus.values)
CAUSES = list(vocab.PovertyCause.values)
GRADES = list(vocab.HousingGrade.values)
RELATIONS = list(vocab.Relation.values)
SEXES = list(vocab.Sex.values)
EDUCATIONS = list(vocab.Education.values)
SCHOOLINGS = list(vocab.Schooling.values)
HEALTHS = list(vocab.Health.values)
LABOURS = list(vocab.LabourAbility.values)
MIGRANT = list(vocab.MigrantWork.values)
MEMBER_STATUSES = list(vocab.MemberStatus.values)
ETHNICITIES = ["汉族", "回族", "蒙古族", "满族"]

ATTR_GENERAL, ATTR_DIBAO, ATTR_TEKUN = (ATTRIBUTES.index(v) for v in (
    vocab.HouseholdAttribute.GENERAL, vocab.HouseholdAttribute.DIBAO, vocab.HouseholdAttribute.TEKUN))
ST_POOR, ST_EXITED, ST_RETURNED, ST_REMOVED = (STATUSES.index(v) for v in (
    vocab.PovertyStatus.POOR, vocab.PovertyStatus.EXITED, vocab.PovertyStatus.RETURNED,
    vocab.PovertyStatus.REMOVED))
C = {v: CAUSES.index(v) for v in CAUSES}
R_HEAD, R_SPOUSE, R_SON, R_DAUGHTER, R_DIL, R_GRANDSON, R_GRANDDAUGHTER, R_FATHER, R_MOTHER = (
    RELATIONS.index(v) for v in (
        vocab.Relation.HEAD, vocab.Relation.SPOUSE, vocab.Relation.SON, vocab.Relation.DAUGHTER,
        vocab.Relation.DAUGHTER_IN_LAW, vocab.Relation.GRANDSON, vocab.Relation.GRANDDAUGHTER,
        vocab.Relation.FATHER, vocab.Relation.MOTHER))
E_ILLITERATE, E_PRIMARY, E_JUNIOR, E_SENIOR, E_COLLEGE, E_PRESCHOOL_CHILD = (EDUCATIONS.index(v) for v in (
    vocab.Education.ILLITERATE, vocab.Education.PRIMARY, vocab.Education.JUNIOR, vocab.Education.SENIOR,
    vocab.Education.COLLEGE, vocab.Education.PRESCHOOL_CHILD))
S = {v: SCHOOLINGS.index(v) for v in SCHOOLINGS}
S_OUT, S_PRESCHOOL = S[vocab.Schooling.NOT_IN_SCHOOL], S[vocab.Schooling.PRESCHOOL]
H_HEALTHY, H_CHRONIC, H_SERIOUS, H_DISABLED = (HEALTHS.index(v) for v in (
    vocab.Health.HEALTHY, vocab.Health.CHRONIC, vocab.Health.SERIOUS, vocab.Health.DISABLED))
L_ORDINARY, L_SKILLED, L_LOST, L_NONE = (LABOURS.index(v) for v in (
    vocab.LabourAbility.ORDINARY, vocab.LabourAbility.SKILLED, vocab.LabourAbility.LOST,
    vocab.LabourAbility.NONE))
MS_NORMAL, MS_DECEASED, MS_MOVED = (MEMBER_STATUSES.index(v) for v in (
    vocab.MemberStatus.NORMAL, vocab.MemberStatus.DECEASED, vocab.MemberStatus.MOVED_OUT))
# Schooling values that mean "at school" (学前教育 does not count for 因学 or compulsory education).
SCHOOL_ATTENDING = np.array([S[v] for v in SCHOOLINGS
                             if v not in (vocab.Schooling.NOT_IN_SCHOOL, vocab.Schooling.PRESCHOOL)])


def pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row of an (n, k) weight matrix, with probability proportional to the weights."""
    cdf = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), weights.shape[1] - 1)
