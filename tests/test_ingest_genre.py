"""Genre rules for page metadata: breadcrumbs, bylines (en/zh), title site suffixes, asker lines.

Each fixture page in tests/fixtures/genre/ is a variant of a page shape found on real health
portals and Q&A sites; expected.yaml says what ingestion must find on it.
"""
import re
import time
from pathlib import Path

import pytest
import yaml

from claimaudit import extract, ingest
from claimaudit.ingest import build_article, looks_like_site, read_article, split_title_site
from claimaudit.model import CONTENT_ROLES
from claimaudit.segment import classify, en_bylines, zh_bylines
from claimaudit.textnorm import simplified_view
from line_growth import assert_linear

GENRE = Path(__file__).resolve().parent / "fixtures" / "genre"
EXPECTED = yaml.safe_load((GENRE / "expected.yaml").read_text(encoding="utf-8"))


def kind_of(line: str) -> str:
    fam = "zh" if re.search(r"[\u4e00-\u9fff]", line) else "en"
    return classify(simplified_view(line), fam, line)[0]


def doc_containing(art, needle: str):
    at = art.text.index(needle)
    return next(d for d in art.documents if d.start <= at < d.end)


@pytest.fixture(scope="module")
def pages():
    return {name: read_article(GENRE / name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_genre_page_metadata(pages, name):
    art, exp = pages[name], EXPECTED[name]
    for key, want in exp.get("article", {}).items():
        assert getattr(art, key) == want, (key, getattr(art, key))
    mains = [d for d in art.documents if d.role == "main"]
    assert mains
    if "mains" in exp:
        assert len(mains) == exp["mains"]
    for d in mains:
        for key, want in exp.get("main", {}).items():
            assert getattr(d, key) == want, (d.doc_id, key, getattr(d, key))


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if "furniture" in EXPECTED[n] or "content" in EXPECTED[n]))
def test_genre_furniture_lines(pages, name):
    art, exp = pages[name], EXPECTED[name]
    for line in exp.get("furniture", []):
        assert doc_containing(art, line).role == "furniture", line
    for line in exp.get("content", []):
        assert doc_containing(art, line).role in CONTENT_ROLES, line
    # a breadcrumb or byline is never a title
    for d in art.documents:
        assert d.title not in exp.get("furniture", [])
    assert art.title not in exp.get("furniture", [])


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if {"meta", "no_claims_in", "claims"} & set(EXPECTED[n])))
def test_genre_meta_spans_and_claims(pages, name):
    art, exp = pages[name], EXPECTED[name]
    spans = [(art.text[s:e], kind) for s, e, kind in ingest.meta_spans(art)]
    for line, kind in exp.get("meta", {}).items():
        assert any(text.startswith(line) and k == kind for text, k in spans), (line, spans)
    rows = extract.article_claims(art)
    for text in exp.get("no_claims_in", []):
        at = art.text.index(text)
        assert not [r for r in rows if r["start"] < at + len(text) and at < r["end"]], text
    quotes = [r["quote"] for r in rows]
    for q in exp.get("claims", []):
        assert any(q in got for got in quotes), (q, quotes)


# --- gap 1: breadcrumbs --------------------------------------------------------------------
@pytest.mark.parametrize("line", ["Patient Questions > Urology", "Conditions » Kidney Stones", "Wellness › Sleep Disorders",
                                  "Home / Conditions / Migraine", "問答 > 眼科", "首頁 > 中醫", "健康百科 › 皮膚保健",
                                  "当前位置：首页 » 资讯"])
def test_two_level_and_arrow_breadcrumbs_are_furniture(line):
    assert kind_of(line) == "furniture"


@pytest.mark.parametrize("line", ["Pain > 7 out of 10 needs review", "LDL > 190 mg/dL is very high.",
                                  "收缩压>140mmHg需要服药", "Risk doubles when BMI > 35"])
def test_comparisons_stay_content(line):
    assert kind_of(line) == "content"


def test_breadcrumb_before_title_is_not_the_title():
    text = ("Expert Answers > Dermatology\n\nHow often should I reapply sunscreen?\n\n"
            "Reapply sunscreen every 2 hours, and right after swimming.\n")
    art = build_article(text, "s.txt")
    assert art.title == "How often should I reapply sunscreen?"
    assert art.documents[0].role == "furniture" and art.text[art.documents[0].start:art.documents[0].end] == \
        "Expert Answers > Dermatology"


# --- gap 2: English bylines ----------------------------------------------------------------
@pytest.mark.parametrize("line, author, creds, writer, date", [
    ("By Samuel Ortiz, RN", "Samuel Ortiz", "RN", True, ""),
    ("Written by Mark O'Neil, MS, CSCS | Published Jan. 5, 2021 | 6 min read", "Mark O'Neil", "MS; CSCS", True,
     "2021-01-05"),
    ("Medically reviewed by Grace Liu, DO — Updated on 11 July 2020", "Grace Liu", "DO", False, "2020-07-11"),
    ("Author: Li Na, Registered Dietitian", "Li Na", "Registered Dietitian", True, ""),
    ("By Nora Blake, RN, and Felix Ward, MD", "Nora Blake", "RN", True, ""),
    ("By Dr. Ahmed Karim, Consultant Cardiologist, Royal Free Hospital", "Ahmed Karim",
     "Consultant Cardiologist; Royal Free Hospital", True, ""),
])
def test_english_header_bylines(line, author, creds, writer, date):
    got = en_bylines(line)
    assert got[0] == {"author": author, "credentials": creds, "writer": writer, "date": date}
    assert kind_of(line) == "furniture"


def test_writer_wins_over_reviewer_on_one_line():
    got = en_bylines("Medically reviewed by Ann Ford, MD, MPH — Written by Tom Reyes — Updated on June 9, 2022")
    assert [(b["author"], b["writer"]) for b in got] == [("Ann Ford", False), ("Tom Reyes", True)]
    art = build_article("Salt and blood pressure\n\nMedically reviewed by Ann Ford, MD, MPH — Written by Tom Reyes — "
                        "Updated on June 9, 2022\n\nAdults should eat less than 5 grams of salt a day.", "w.txt")
    main = [d for d in art.documents if d.role == "main"][0]
    assert (main.author, main.credentials, main.published) == ("Tom Reyes", "", "2022-06-09")


def test_date_first_english_meta_line_names_the_reviewer():
    art = build_article("Updated on 4 May 2022 | Medically reviewed by Ines Duarte, MD\n\n"
                        "Most adults need at least 7 hours of sleep.", "d.txt")
    main = [d for d in art.documents if d.role == "main"][0]
    assert (main.author, main.credentials, main.published) == ("Ines Duarte", "MD", "2022-05-04")


def test_credentials_only_footer_completes_a_header_writer():
    text = ("文/吕伟\n\n痛风发作怎么办\n\n血尿酸长期高于420μmol/L需要降尿酸治疗。\n\n"
            "（作者系北京积水潭医院风湿免疫科主治医师）")
    main = [d for d in build_article(text, "f.txt").documents if d.role == "main"][0]
    assert (main.author, main.credentials) == ("吕伟", "主治医师; 北京积水潭医院; 风湿免疫科")


@pytest.mark.parametrize("line", ["By Monday, most patients can walk again.", "By the age of 65, one in three adults falls.",
                                  "Written by hand, the diary helped track 3 symptoms."])
def test_prose_starting_with_by_is_no_byline(line):
    assert en_bylines(line) == [] and kind_of(line) == "content"


def test_answered_by_with_title_department_hospital_and_date():
    text = ("Can I exercise with a cold?\nMy nose has been running for 2 days.\n"
            "Answered by Dr. Ruth Adeyemi, Sports Physician, Department of Sports Medicine, Lagos University Hospital "
            "— March 2, 2023\nLight exercise is fine if symptoms are above the neck; rest if you have a fever over 38 C.")
    art = build_article(text, "a.txt")
    main = [d for d in art.documents if d.role == "main"][0]
    assert main.author == "Ruth Adeyemi"
    assert main.credentials == "Sports Physician; Department of Sports Medicine; Lagos University Hospital"
    assert main.published == "2023-03-02"


# --- gap 3: Chinese bylines ----------------------------------------------------------------
@pytest.mark.parametrize("line, author, creds, writer", [
    ("作者：邱志远 副主任医师 中山大学附属第三医院 | 2021-04-02 | 阅读 1,024", "邱志远", "副主任医师; 中山大学附属第三医院", True),
    ("最後更新：2022年9月1日　復健科 許家維 醫師", "許家維", "醫師; 復健科", True),
    ("文／黃詩涵 營養師", "黃詩涵", "營養師", True),
    ("医学审核：孟庆华 主任医师 山东省立医院 神经内科", "孟庆华", "主任医师; 山东省立医院; 神经内科", False),
    ("作者：高远（四川省人民医院眼科副主任医师）", "高远", "副主任医师; 四川省人民医院; 眼科", True),
    ("作者：方琳，南京鼓楼医院主治医师", "方琳", "主治医师; 南京鼓楼医院", True),
])
def test_chinese_header_bylines(line, author, creds, writer):
    got = zh_bylines(simplified_view(line), line)
    assert (got[0]["author"], got[0]["credentials"], got[0]["writer"]) == (author, creds, writer)
    assert kind_of(line) == "furniture"


def test_chinese_writer_wins_over_reviewer_and_source_gives_site():
    text = ("失眠吃褪黑素有用吗？\n来源：康乐健康网\n审核：周丽 主任医师 复旦大学附属华山医院\n作者：陈思 药师\n\n"
            "褪黑素每晚0.5~3毫克即可，连续使用不宜超过3个月。")
    art = build_article(text, "z.txt")
    main = [d for d in art.documents if d.role == "main"][0]
    assert (main.author, main.credentials, main.site, art.site) == ("陈思", "药师", "康乐健康网", "康乐健康网")


# --- gap 4: title site suffixes --------------------------------------------------------------
@pytest.mark.parametrize("title, head, site", [
    ("胃痛吃什么药？_安心医生网", "胃痛吃什么药？", "安心医生网"),
    ("Shingles vaccine: who needs it - Lakeside Health", "Shingles vaccine: who needs it", "Lakeside Health"),
    ("乳腺結節要開刀嗎？｜仁心醫院", "乳腺結節要開刀嗎？", "仁心醫院"),
    ("Gout diet basics | carewell.org", "Gout diet basics", "carewell.org"),
])
def test_site_like_title_suffixes(title, head, site):
    got_head, got_site = split_title_site(title)
    assert (got_head, got_site) == (head, site) and looks_like_site(got_site)


@pytest.mark.parametrize("title", ["COVID-19 booster timing", "Omega-3 and heart health", "高血压_饮食"])
def test_title_parts_that_are_no_site(title):
    head, suffix = split_title_site(title)
    assert not suffix or not looks_like_site(suffix)


def test_og_site_name_still_wins_over_the_title_suffix(tmp_path):
    page = ('<html><head><title>Knee pain at night | Northgate Clinic</title><meta property="og:site_name" '
            'content="Northgate"></head><body><p>Ice the knee for 15 minutes.</p></body></html>')
    (tmp_path / "k.html").write_text(page)
    art = read_article(tmp_path / "k.html")
    assert (art.title, art.site) == ("Knee pain at night", "Northgate")


# --- gap 5: asker lines and Q&A furniture --------------------------------------------------
@pytest.mark.parametrize("line, kind", [
    ("提問者：男，40-49歲", "asker"), ("患者信息：女 61岁", "asker"), ("病情描述（男，19岁）", "asker"),
    ("男，52岁", "asker"),
    ("Posted by user q***, 20-29 years old female, 2020-08-30 | 77 views", "asker"),
    ("Asked by anonymous, male, aged 45 | 3 answers", "asker"),
    ("Posted by Jane Doe, RN | March 3, 2024", "furniture"),   # an author's byline, not an asker
    ("Was this article helpful?", "furniture"), ("Helpful (31)", "furniture"), ("Did you find this helpful?", "furniture"),
    ("该回答对你有帮助吗？", "furniture"), ("有用(5) 没用(0)", "furniture"),
    ("門診時間：週三下午1:30-4:30", "furniture"), ("出诊时间：周一上午", "furniture"),
    ("Clinic hours: Mon-Fri 8:30 am-5 pm", "furniture"),
    ("患者：男，45岁，因胸痛3小时入院。", "content"),
    ("患者：医生，我血压150/100要紧吗", "content"),   # a dialogue turn, not an asker line
])
def test_asker_and_qa_furniture_lines(line, kind):
    assert kind_of(line) == kind


def test_question_prefix_is_meta_but_the_question_is_not():
    text = ("頭痛要照電腦斷層嗎？\n病情描述（男，47歲）：頭痛已經持續3週，每天吃止痛藥2次。\n"
            "鄭凱文 主治醫師\n彰化基督教醫院 神經內科\n頭痛超過2週且逐漸加重，建議安排影像檢查。")
    art = build_article(text, "q.txt")
    spans = [(art.text[s:e], k) for s, e, k in ingest.meta_spans(art)]
    assert ("病情描述（男，47歲）", "asker") in spans
    quotes = [r["quote"] for r in extract.article_claims(art)]
    assert "47歲" not in "".join(quotes)
    assert any("3週" in q for q in quotes) and any("2週" in q for q in quotes)


# --- speed -----------------------------------------------------------------------------------
@pytest.mark.parametrize("unit, tail", [("By Ab, ", "x"), ("By Ab Cd — ", "x"), ("Posted by a, ", "|"),
                                        ("作者：张三 ", "x"), ("骨科 张三 ", "医"), ("Yes (1) ", "x"),
                                        ("Aa > ", "1"), ("Aa / ", "1")])
def test_new_rules_do_not_backtrack(unit, tail):
    assert_linear(unit, tail, [lambda v, l: classify(v, "zh", l), lambda v, l: classify(v, "en", l),
                               en_bylines, zh_bylines])


def test_header_meta_page_is_linear():
    block = ("作者：邱志远 副主任医师 中山大学附属第三医院 | 2021-04-02 | 阅读 1,024\n"
             "By Samuel Ortiz, RN — Updated on May 2, 2021\n提問者：男，40-49歲\n每天步行30分钟有助于控制血压。\n")
    small, large = block * 100, block * 1600
    build_article(small, "s.txt")
    t0 = time.perf_counter(); build_article(small, "s.txt"); ts = time.perf_counter() - t0
    t0 = time.perf_counter(); build_article(large, "l.txt"); tl = time.perf_counter() - t0
    assert tl < 16 * 8 * max(ts, 2e-3)


# --- gap 6: spam / promo lines, bar breadcrumbs at the page head, US dates -------------------
@pytest.mark.parametrize("line", [
    "加我微信 yz888 免费领取瘦身秘籍！！！", "扫码添加客服，立即咨询", "关注公众号“健康小灶”回复“血糖”即可获取", "點擊這裡了解更多>>",
    "免費領取體檢優惠券", "限时特价，先到先得", "添加小助手领取饮食手册", "Click here to claim your free guide!",
    "Subscribe to our newsletter", "Get our free e-book today", "Use promo code HEALTH10 at checkout",
    "See all our sleep tips >>", "上一篇：感冒吃什么 下一篇：发烧怎么办"])
def test_spam_and_promo_lines_are_furniture(line):
    assert kind_of(line) == "furniture"


@pytest.mark.parametrize("line", [
    "增加微量元素的摄入有助于伤口愈合。", "Sugar-free gum may help after meals.", "Act now if you notice signs of a stroke.",
    "Patients can join a support group to share updates with family.", "空腹血糖>7.0 mmol/L可诊断糖尿病。",
    "患者可在出院时领取检查报告。", "Adults need at least 150 minutes of activity a week."])
def test_prose_near_promo_words_stays_content(line):
    assert kind_of(line) == "content"


@pytest.mark.parametrize("line, family, want", [
    ("Last updated: 11/02/2023", "en", "2023-11-02"),   # en: month first (US)
    ("Last updated: 25/02/2023", "en", "2023-02-25"),   # en: a > 12, so day first
    ("更新：11/02/2023", "zh", ""),                       # zh: ambiguous, not read
    ("更新：25/02/2023", "zh", "2023-02-25"),
    ("Published 2023/11/02", "en", "2023-11-02"),
])
def test_slashed_dates_follow_the_page_language(line, family, want):
    from claimaudit.segment import find_date
    assert find_date(simplified_view(line), family) == want


def test_bar_breadcrumb_only_at_the_head_before_a_title():
    head = build_article("Home | Conditions | Diabetes\nLow Blood Sugar (Hypoglycemia): Symptoms and Treatment\n\n"
                         "Blood sugar below 70 mg/dL is low.\n", "c.txt")
    assert head.title == "Low Blood Sugar (Hypoglycemia): Symptoms and Treatment"
    assert head.documents[0].role == "furniture"
    # further down the page, the same shape is content (a table-like row)
    lines = ["Low blood sugar", "", "Blood sugar below 70 mg/dL is low.", "", "Eat fast sugar first.", "",
             "Juice | Candy | Glucose Tablets", "", "Recheck after 15 minutes."]
    art = build_article("\n".join(lines) + "\n", "d.txt")
    assert doc_containing(art, "Juice | Candy").role in CONTENT_ROLES
    # a bar title followed by a paragraph is no breadcrumb
    art = build_article("Hypoglycemia | Symptoms | Causes\nBlood sugar below 70 mg/dL is low. Eat 15 grams of sugar.\n",
                        "e.txt")
    assert doc_containing(art, "Hypoglycemia |").role in CONTENT_ROLES


@pytest.mark.parametrize("unit, tail", [("加我 ", "x"), ("free ", "x"), ("a >", "x"), ("Home | ", "x"),
                                        ("关注 ", "x"), ("subscribe ", "x"), ("1/2/", "x")])
def test_promo_and_crumb_rules_do_not_backtrack(unit, tail):
    def run(n: int) -> float:
        text = (unit * n + tail + "\nTitle line\nBody text.\n")
        t0 = time.perf_counter()
        for _ in range(10):
            build_article(text, "t.txt")
        return time.perf_counter() - t0

    run(2)
    small, large = run(3), run(24)
    assert large < 8 * 10 * max(small, 1e-3)
