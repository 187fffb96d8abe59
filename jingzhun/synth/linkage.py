"""A labelled linkage benchmark: registry persons from `jingzhun.synth`, external records derived from some
of them with the corruption other departments' files show, plus unrelated people.

Corruption types (each external record of a true person gets 0, 1 or 2 of them):
homophone (王伟 → 王玮), look-alike character (王玉 → 王王), given-name characters swapped (建国 → 国建),
a given-name character dropped, one or two ID digits mistyped, the ID left blank, birth date with day
and month swapped, moved to another village of the county.

Used by bench/compare_bench.py and by the tests; deterministic for a seed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CORRUPTIONS = ("homophone", "lookalike", "swap_given", "drop_given", "id_digits", "id_blank", "dob_swap",
               "moved_village")

#: 形近字: pairs a clerk or an OCR pass confuses (both directions).
LOOKALIKE_PAIRS = ("王玉", "末未", "己已", "日曰", "大太", "人入", "土士", "刀力", "天夭", "候侯", "晴睛", "清情",
                   "明朋", "兰三", "春椿", "辉挥", "斌赋", "鹏朋", "峰锋", "霞暇", "琴芩", "娟绢", "红虹", "杰木",
                   "平乎", "秀季", "英荚", "芳方", "国围", "军车", "林材", "伟传", "丽麗", "凤风", "华毕")
_LOOKALIKE = {}
for _pair in LOOKALIKE_PAIRS:
    _LOOKALIKE.setdefault(_pair[0], _pair[1])
    _LOOKALIKE.setdefault(_pair[1], _pair[0])

#: Extra characters for homophone replacement: a name character is replaced by another with the same
#: toneless pinyin from this pool plus the synth name tables.
_HOMOPHONE_POOL = ("伟玮炜苇卫维为薇 华桦骅 明鸣铭 军君钧均 强墙蔷 平萍坪苹 丽莉俐 红宏洪鸿虹 芳方坊 英瑛鹰莺 杰捷洁 "
                   "国帼 建健剑 文雯闻 海 玲琳林霖淋 燕艳雁彦 静敬婧晶 刚钢纲 辉晖徽 斌彬滨 勇永泳 峰锋丰枫 涛韬滔 "
                   "敏闵 霞侠 秀 梅玫媚 兰岚澜 娟涓 云芸耘 春 金锦 亮 新欣鑫馨 俊峻骏 波 宁凝 红虹 荣蓉融容 "
                   "江姜 贵桂 福富 成诚承城程 祥翔 宝保堡 虎琥 德 喜禧 慧惠蕙 凤奉 玉钰毓 珍真桢 兵冰 东冬 亚雅")


def _homophones(chars: list[str]) -> dict[str, list[str]]:
    from pypinyin import Style, lazy_pinyin

    pool = list(dict.fromkeys("".join(chars) + _HOMOPHONE_POOL.replace(" ", "")))
    by_sound: dict[str, list[str]] = {}
    for ch in pool:
        by_sound.setdefault(lazy_pinyin(ch, style=Style.NORMAL)[0], []).append(ch)
    return {ch: [o for o in by_sound[lazy_pinyin(ch, style=Style.NORMAL)[0]] if o != ch] for ch in pool}


def registry_persons(members: pa.Table, *, first_id: int = 1) -> pa.Table:
    """The synth 人员表 as the matcher's registry table (unique_id, name, id_number, sex, village)."""
    n = members.num_rows
    return pa.table({
        "unique_id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
        "name": members["姓名"], "id_number": members["身份证号"], "sex": members["性别"],
        "village": pc.utf8_slice_codeunits(members["户编号"], 0, 12),
    })


def corrupt_records(persons: pa.Table, *, rng: np.random.Generator, villages: list[str],
                    rate_none: float = 0.3, first_record_id: int = 1) -> tuple[pa.Table, list[list[str]]]:
    """External records for `persons` (registry tables as above); returns them and each one's corruptions."""
    names = persons["name"].to_pylist()
    ids = persons["id_number"].to_pylist()
    sexes = persons["sex"].to_pylist()
    homes = persons["village"].to_pylist()
    homophones = _homophones(sorted({c for name in names for c in name}))
    n = len(names)
    how_many = rng.choice([0, 1, 2], size=n, p=[rate_none, (1 - rate_none) * 0.6, (1 - rate_none) * 0.4])
    picks = rng.integers(0, len(CORRUPTIONS), size=(n, 2))
    coins = rng.random((n, 4))
    out_name, out_id, out_dob, out_village, applied = [], [], [], [], []
    for i in range(n):
        name, idn, village = names[i], ids[i], homes[i]
        dob = f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"
        done = []
        kinds = [CORRUPTIONS[k] for k in picks[i, :how_many[i]]]
        for kind in dict.fromkeys(kinds):
            given = name[1:]
            if kind == "homophone":
                spots = [j for j in range(1, len(name)) if homophones.get(name[j])]
                if not spots:
                    continue
                j = spots[int(coins[i, 0] * len(spots))]
                options = homophones[name[j]]
                name = name[:j] + options[int(coins[i, 1] * len(options))] + name[j + 1:]
            elif kind == "lookalike":
                spots = [j for j in range(1, len(name)) if name[j] in _LOOKALIKE]
                if not spots:
                    continue
                j = spots[int(coins[i, 0] * len(spots))]
                name = name[:j] + _LOOKALIKE[name[j]] + name[j + 1:]
            elif kind == "swap_given":
                if len(given) != 2 or given[0] == given[1]:
                    continue
                name = name[0] + given[::-1]
            elif kind == "drop_given":
                if len(given) != 2:
                    continue
                name = name[0] + given[int(coins[i, 2] * 2)]
            elif kind == "id_digits":
                if not idn:
                    continue
                digits = list(idn)
                for j in rng.choice(np.arange(14, 17), size=1 + int(coins[i, 3] < 0.3), replace=False):
                    digits[j] = str((int(digits[j]) + 1 + int(rng.integers(0, 8))) % 10)
                idn = "".join(digits)
            elif kind == "id_blank":
                idn = ""
            elif kind == "dob_swap":
                y, m, d = dob.split("-")
                if int(d) > 12 or d == m:
                    continue
                dob = f"{y}-{d}-{m}"
            elif kind == "moved_village":
                others = [v for v in villages if v != village]
                if not others:
                    continue
                village = others[int(coins[i, 2] * len(others))]
            done.append(kind)
        out_name.append(name)
        out_id.append(idn)
        out_dob.append(dob)
        out_village.append(village)
        applied.append(done)
    table = pa.table({
        "unique_id": pa.array(np.arange(first_record_id, first_record_id + n, dtype=np.int64)),
        "name": pa.array(out_name, pa.string()), "id_number": pa.array(out_id, pa.string()),
        "sex": pa.array(sexes, pa.string()),
        "birth_date": pc.strptime(pa.array(out_dob), format="%Y-%m-%d", unit="s").cast(pa.date32()),
        "village": pa.array(out_village, pa.string()),
    })
    return table, applied


def labelled_benchmark(*, county: str = "140826", households: int, seed: int = 7, matched_share: float = 0.5,
                       unrelated_households: int | None = None) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(registry, external, truth): `matched_share` of registry persons appear, corrupted, in the external
    table together with unrelated people of another synthetic registry of the same county; truth holds
    (record_id, member_id) of the true pairs."""
    from . import generate

    rng = np.random.default_rng(seed)
    reg_synth = generate(county=county, households=households, seed=seed)
    registry = registry_persons(reg_synth.members)
    villages = sorted(set(registry["village"].to_pylist()))
    chosen = np.sort(rng.choice(registry.num_rows, size=int(registry.num_rows * matched_share), replace=False))
    true_people = registry.take(pa.array(chosen))
    external_true, _applied = corrupt_records(true_people, rng=rng, villages=villages)
    other = generate(county=county, households=unrelated_households or households // 2, seed=seed + 1000)
    unrelated = registry_persons(other.members, first_id=1)
    # an unrelated person sharing an ID with a registry person would be a true match: drop such (rare)
    unrelated = unrelated.filter(pc.invert(pc.is_in(unrelated["id_number"], registry["id_number"])))
    external_other, _ = corrupt_records(unrelated, rng=rng, villages=villages, rate_none=1.0,
                                        first_record_id=external_true.num_rows + 1)
    external = pa.concat_tables([external_true, external_other])
    truth = pa.table({"record_id": external_true["unique_id"], "member_id": true_people["unique_id"]})
    return registry, external, truth


def score(pairs: pa.Table, truth: pa.Table) -> dict[str, float]:
    """Precision, recall and F1 of accepted pairs (record_id, member_id) against the truth."""
    found = set(zip(pairs["record_id"].to_pylist(), pairs["member_id"].to_pylist()))
    true = set(zip(truth["record_id"].to_pylist(), truth["member_id"].to_pylist()))
    hits = len(found & true)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(found), "true": len(true), "hits": hits, "precision": precision, "recall": recall, "f1": f1}
