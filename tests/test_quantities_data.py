"""Guards on the quantity data files: every surface form maps to a declared canonical unit, every
comparator word to a known comparator, and the name lexicon is loaded."""
from __future__ import annotations

from claimaudit.config import data_path, load_yaml
from claimaudit.quantities import COMPARATORS, find_quantities, parse_number, unit_forms


def test_every_unit_form_maps_to_a_canonical_unit():
    canonical = set(load_yaml("quantities", "units.yaml")["canonical"])
    for lang in ("zh-Hans", "en"):
        forms = unit_forms(lang)
        assert len(forms) > 40
        assert set(forms.values()) <= canonical, set(forms.values()) - canonical


def test_time_units_all_have_seconds():
    secs = load_yaml("quantities", "units.yaml")["time_seconds"]
    assert set(secs) == {"second", "minute", "hour", "day", "week", "month", "year"}


def test_comparator_words_map_to_known_comparators():
    for fam in ("zh", "en"):
        data = load_yaml("quantities", f"{fam}.yaml")
        for key in ("prefix_comparators", "suffix_comparators"):
            assert set(data[key].values()) <= set(COMPARATORS), (fam, key)


def test_rate_periods_are_time_units():
    secs = set(load_yaml("quantities", "units.yaml")["time_seconds"])
    zh = load_yaml("quantities", "zh.yaml")
    assert set(zh["rate_prefixes"].values()) <= secs | {""}
    assert set(zh["rate_suffixes"].values()) <= secs


def test_name_lexicon_blocks_its_entries():
    names = [ln for ln in data_path("quantities", "zh_names.txt").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    assert len(names) > 100
    for name in ("半月板", "一次性", "十年如一日", "三级医院"):
        assert name in names
        assert find_quantities(f"关于{name}的说明", "zh-Hans") == []


def test_parse_number_examples():
    cases = {("两千四百五", "zh"): 2450, ("一万零二百五十", "zh"): 10250, ("四万万", "zh"): 4e8,
             ("零点五", "zh"): 0.5, ("三分之一", "zh"): 1 / 3, ("１２，３４５", "zh"): 12345,
             ("12,345", "en"): 12345, ("twenty-five", "en"): 25, ("one hundred and six", "en"): 106,
             ("2 million", "en"): 2e6, ("百", "zh"): None, ("hello", "en"): None}
    for (s, lang), want in cases.items():
        got = parse_number(s, lang)
        assert (got is None and want is None) or abs(got - want) < 1e-9, (s, got)


def test_measure_names_block_their_numbers():
    """Every measure name in measure_names.txt swallows the number it contains (no time claim)."""
    names = [ln for ln in data_path("quantities", "measure_names.txt").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    assert len(names) > 30
    for name in names:
        lang = "en" if name.isascii() else "zh-Hans"
        rows = find_quantities(f"检查{name}结果" if lang != "en" else f"the {name} result", lang)
        assert all(q.unit not in ("hour", "minute") for q in rows), (name, rows)


def test_genre_rule_words_are_declared():
    zh = load_yaml("quantities", "zh.yaml")
    en = load_yaml("quantities", "en.yaml")
    assert set(zh["half_words"].values()) <= set(COMPARATORS)
    assert set(zh["dose_units"]) <= set(load_yaml("quantities", "units.yaml")["zh"])
    assert all(0 < v <= 100 for v in en["fraction_words"].values())
    assert "fahrenheit" in load_yaml("quantities", "units.yaml")["canonical"]
    for key in ("pair_connectors", "lookback_prefixes", "past_time_right", "profile_left", "profile_right",
                "celsius_context", "people_classifiers", "half_nouns", "dose_left"):
        assert zh[key], key


def test_age_and_per_minute_words_are_declared():
    """The age rule only reuses comparator words the grammar knows, and per-minute measures name
    declared units (bpm, breaths/min)."""
    en = load_yaml("quantities", "en.yaml")
    zh = load_yaml("quantities", "zh.yaml")
    canonical = set(load_yaml("quantities", "units.yaml")["canonical"])
    assert {en["prefix_comparators"][w] for w in en["age_prefix_comparators"]} <= {"gt", "lt"}
    assert set(en["age_suffix_comparators"]) <= set(en["suffix_comparators"])
    assert set(zh["per_minute_measures"].values()) <= canonical
    assert {"bpm", "breaths/min"} <= canonical
    assert zh["ratio_analytes"]["年龄"] == "age_years"
