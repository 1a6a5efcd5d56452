"""textnorm: the simplified view keeps every offset; language detection on short and long text."""
import time

import opencc
import pytest

from claimaudit.textnorm import ScriptProfile, detect_lang, simplified_view


@pytest.mark.parametrize("text, expected", [
    ("主任醫師", "主任医师"),
    ("頭髮乾燥，請諮詢醫生。", "头发干燥，请咨询医生。"),
    ("著名醫院", "著名医院"),          # phrase-level: 著 stays in 著名
    ("肌肉痉挛怎么缓解?", "肌肉痉挛怎么缓解?"),  # simplified text is unchanged
    ("Dr. Lai 賴建宏 reply", "Dr. Lai 赖建宏 reply"),
    ("", ""),
])
def test_simplified_view_converts_and_keeps_length(text, expected):
    view = simplified_view(text)
    assert view == expected
    assert len(view) == len(text)


def test_simplified_view_same_length_on_mixed_lines_and_odd_characters():
    text = "第一行 醫院\r\n\t第二行：「乾隆」𠀀 emoji 😀\n\n臺灣 裡面 髮型" * 50
    view = simplified_view(text)
    assert len(view) == len(text)
    # non-Han characters never change, position by position
    assert all(a == b for a, b in zip(text, view) if not ("\u3400" <= a <= "\u9fff"))
    assert "医院" in view and "台湾" in view


def test_simplified_view_lone_surrogate_falls_back_to_char_table():
    text = "醫師\udcff醫院"
    view = simplified_view(text)
    assert view == "医师\udcff医院"


def test_simplified_view_is_linear():
    base = opencc.OpenCC("s2t").convert("腿部针灸后出现腿软无力多属正常针感反应,通常与局部经络刺激有关。\n") * 200
    simplified_view(base)
    t0 = time.perf_counter(); simplified_view(base); t1 = time.perf_counter() - t0
    big = base * 16
    t0 = time.perf_counter(); v = simplified_view(big); t16 = time.perf_counter() - t0
    assert len(v) == len(big)
    assert t16 < 16 * 8 * max(t1, 1e-3)  # generous: linear, not quadratic


@pytest.mark.parametrize("text, lang", [
    ("醫師", "zh-Hant"),
    ("医师", "zh-Hans"),
    ("主任醫師 三甲", "zh-Hant"),
    ("肌肉痉挛", "zh-Hans"),
    ("針灸(zhēn jiǔ)治療頭痛", "zh-Hant"),      # inline pinyin does not flip Chinese
    ("针灸(zhēn jiǔ)治疗头痛", "zh-Hans"),
    ("空腹血糖>7.0mmol/L, HbA1c>6.5%", "zh-Hans"),  # units and lab codes stay Chinese
    ("Dr. Lai Jianhong reply Traditional Chinese Medicine", "en"),
    ("Acupuncture (针灸) helps in some patients with chronic pain", "en"),
    ("12345", "en"),
])
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_detect_lang_default_for_ambiguous_han():
    # 肌肉 is written the same in both scripts: the caller's default decides
    assert detect_lang("肌肉", default="zh-Hant") == "zh-Hant"
    assert detect_lang("肌肉") == "zh-Hans"
    assert detect_lang("2024", default="zh-Hant") == "zh-Hant"


def test_script_profile_matches_detect_lang_on_spans():
    text = "醫師說明。\nThe doctor explains the results in detail.\n医生说明。"
    prof = ScriptProfile(text)
    for start, end in [(0, 5), (6, 48), (49, len(text)), (0, len(text))]:
        assert prof.lang(start, end) == detect_lang(text[start:end])


def test_ascii_case_strays_are_exactly_the_regex_engines_folds():
    """The fold table the prefilters and first-character classes rely on: every character a
    case-insensitive ASCII letter matches is that letter, its other case, or a listed stray."""
    import re
    import string

    from claimaudit.textnorm import ascii_case_strays

    strays = ascii_case_strays()
    assert set(strays) <= set(string.ascii_lowercase)
    assert "ſ" in strays.get("s", "") and "\u212a" in strays.get("k", "")  # long s, Kelvin sign
    for letter in string.ascii_lowercase:
        cls = re.compile(f"[{letter}{letter.upper()}{strays.get(letter, '')}]")
        for code in list(range(0x80, 0x3000)) + [0x212A, 0xFF21, 0xFF41]:
            ch = chr(code)
            assert bool(re.fullmatch(f"(?i:{letter})", ch)) == bool(cls.fullmatch(ch)), (letter, hex(code))


def test_a_conversion_counts_as_aligned_only_when_just_han_characters_changed():
    from claimaudit.textnorm import _changed_only_han

    assert _changed_only_han("後來 3 mg", "后来 3 mg")
    assert _changed_only_han("abc", "abc")
    assert not _changed_only_han("中A中中B", "中中A中B")  # same non-Han runs, but moved
    assert not _changed_only_han("後來3", "后来三")  # a digit changed
    assert not _changed_only_han("後來", "后来了")  # length changed
