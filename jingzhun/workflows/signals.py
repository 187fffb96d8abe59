"""What the exit evaluation pages ask the modules above them, without importing them (assessment sits
above workflows and imports it).

`exit_assessment` is sent by the county exit page (三率一度) with `county`, `year` and `user`; a receiver
returns None or the latest third-party assessment's figures for that county and year, as
county_exit_criteria takes them: {"wrong_exit_rate": …, "missed_rate": …, "approval": …, "incidence": …}
in percent (any may be missing), and "details": {key: words shown beside the figure} (the interval, the
verdict with its confidence, "第三方评估（抽样估计）"). The assessment module answers it
(AssessmentConfig.ready); the receiver scopes what it shows through the user's reach.

`exit_survey_results` is sent by the village exit page with `village`, `year` and `user`; a receiver returns
None or {"title": …, "note": …, "criteria": [evaluation.Criterion], "url": …}: survey results about the
village (e.g. 两不愁三保障 among its sampled households), shown apart from the registry's criteria and
labelled as survey results.
"""

from __future__ import annotations

from django.dispatch import Signal

exit_assessment = Signal()
exit_survey_results = Signal()


def first_answer(signal: Signal, **kwargs):
    """The first receiver's answer that is not None (receivers run in the order they were connected)."""
    for _receiver, answer in signal.send(sender=None, **kwargs):
        if answer is not None:
            return answer
    return None


def all_answers(signal: Signal, **kwargs) -> list:
    return [answer for _receiver, answer in signal.send(sender=None, **kwargs) if answer is not None]
