"""帮扶措施类型 are data (jingzhun/assistance/data/measure_types.toml): the issue's types are there, and a
malformed file fails loudly instead of giving a form with a broken field."""

from __future__ import annotations

import pytest

from jingzhun.assistance import vocab


def test_the_issue_lists_types_are_all_there_with_their_details():
    types = vocab.measure_types()
    names = {t.name for t in types.values()}
    assert {"产业帮扶", "就业帮扶", "易地扶贫搬迁", "光伏收益", "公益岗位", "小额信贷", "教育资助", "健康帮扶", "生态护林员",
            "危房改造", "兜底保障", "消费帮扶", "其他"} <= names
    health = {d.key: d for d in types["health"].details}
    assert health["doctor_signed_on"].kind == "date" and health["treat_first"].kind == "bool"
    assert types["education"].member and "雨露计划" in {d for d in types["education"].details[0].choices}
    assert types["safety_net"].details[0].choices == ("低保", "特困供养", "临时救助")
    assert types["housing"].continues is False and types["public_post"].continues is True
    assert vocab.measure_type_choices()[0] == ("industry", "产业帮扶")


@pytest.mark.parametrize("text, complaint", [
    ('[x]\nname = "甲"\ndetails = [{ key = "a", label = "甲", kind = "colour" }]\n', "unknown detail kind"),
    ('[x]\nname = "甲"\ndetails = [{ key = "a", label = "甲", kind = "choice" }]\n', "needs choices"),
    ('[x]\nname = "甲"\ndetails = [{ key = "a", label = "甲", kind = "text", choices = ["乙"] }]\n', "needs choices"),
])
def test_a_malformed_types_file_fails_loudly(tmp_path, monkeypatch, text, complaint):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "measure_types.toml").write_text(text, "utf-8")
    monkeypatch.setattr(vocab, "__file__", str(tmp_path / "vocab.py"))
    vocab.measure_types.cache_clear()
    try:
        with pytest.raises(ValueError, match=complaint):
            vocab.measure_types()
    finally:
        monkeypatch.undo()
        vocab.measure_types.cache_clear()
