"""ingest/segment: pages split into main / answer / related / furniture documents."""
from collections import Counter
from pathlib import Path

import opencc
import pytest

from claimaudit import ingest
from claimaudit.ingest import build_article, read_article
from claimaudit.model import CONTENT_ROLES, LANGS, ROLES

ARTICLES = Path(__file__).resolve().parents[1] / "articles"


def seed(prefix: str):
    return read_article(next(ARTICLES.glob(f"{prefix}_*.txt")))


def roles(art) -> Counter:
    return Counter(d.role for d in art.documents)


def docs_with(art, needle: str):
    return [d for d in art.documents if needle in art.text[d.start:d.end]]


def check_invariants(art) -> None:
    prev_end = 0
    for n, d in enumerate(art.documents):
        assert d.doc_id == f"{art.name}#{n}"
        assert d.role in ROLES and d.lang in LANGS
        assert prev_end <= d.start < d.end <= len(art.text)
        seg = art.text[d.start:d.end]
        assert seg == seg.strip()
        prev_end = d.end


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_invariants(prefix):
    check_invariants(seed(prefix))


@pytest.mark.parametrize("prefix", ["003", "004"])
def test_minfukang_pages_main_plus_one_answer_per_doctor(prefix):
    art = seed(prefix)
    bylines = [ln for ln in art.text.split("\n") if ln.endswith(("主任医师", "副主任医师"))]
    answers = [d for d in art.documents if d.role == "answer"]
    assert roles(art)["main"] == 1
    assert len(answers) == len(bylines) > 10
    for d in answers:
        text = art.text[d.start:d.end]
        assert d.author and d.author in text.split("\n")[1]
        assert d.title == text.split("\n")[0]
        title, hospital, grade = d.credentials.split("; ")
        assert title in ("主任医师", "副主任医师") and hospital.endswith("院") and grade == "三甲"
    assert art.site == "民福康"


def test_minfukang_credentials_example():
    art = seed("004")
    d = docs_with(art, "肩周炎有哪些保守的治疗方法")[0]
    assert (d.role, d.author, d.credentials) == ("answer", "杨凯", "主任医师; 青岛大学附属医院; 三甲")


def test_minfukang_header_furniture_and_disease_box():
    art = seed("003")
    main = [d for d in art.documents if d.role == "main"][0]
    assert main.title == "大腿肌肉痉挛的主要原因" and main.published == "2026-02-28"
    assert "9039次浏览" not in art.text[main.start:main.end]
    box = docs_with(art, "肌肉痉挛是一种肌肉自发的强直性收缩")[0]
    assert box.role == "related" and box.title == "肌肉痉挛"


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_fuhe_teasers_are_related_with_title_and_date(prefix):
    art = seed(prefix)
    related = [d for d in art.documents if d.role == "related"]
    assert len(related) == 8 and roles(art)["main"] == 1
    for d in related:
        text = art.text[d.start:d.end]
        first, second = text.split("\n")[:2]
        assert d.title == first == second
        assert len(d.published) == 10 and d.published[:2] == "20"
        assert "[详细]" in text
    assert art.site == "复禾"
    main = [d for d in art.documents if d.role == "main"][0]
    assert main.published in ("2025-06-02", "2025-06-30")


def test_english_qa_page():
    art = seed("002")
    mains = [d for d in art.documents if d.role == "main"]
    assert len(mains) == 2
    qa, essay = mains
    qa_text = art.text[qa.start:qa.end]
    assert qa_text.startswith("Numbness in the limbs after acupuncture?")
    assert qa.title == "Numbness in the limbs after acupuncture?"
    assert "Wishing you safety and health." in qa_text
    assert qa.author == "Lai Jianhong"
    assert qa.credentials == "Traditional Chinese Medicine; The Hualien Hospital, Ministry of Health and Welfare"
    assert qa.published == "2017-03-26" == art.published  # the page's date is its main reply's
    assert art.text[essay.start:essay.end].startswith("Numbness in the limbs after acupuncture can be")
    assert essay.author == ""
    answers = [d for d in art.documents if d.role == "answer"]
    assert [d.author for d in answers] == ["Lü Bingcheng", "Hou Angting", "Gao Peiyi", "Yin Xinbei"]
    assert answers[3].credentials == "Rehabilitation"
    for d in answers:
        assert art.text[d.start:d.end].startswith(d.title) and "[Read More]" not in art.text[d.start:d.end]
    assert all(d.lang == "en" for d in art.documents)


FURNITURE_SNIPPETS = ["扫描二维码", "手机查看", "免责声明", "9039次浏览", "您的位置", "本内容不能作为治疗依据",
                      "了解详情", "免费咨询", "Share to:", "[Read More]", "Reply Date:", "Related FAQ",
                      "民福康 |", "在线挂号", "自测工具"]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_furniture_line_in_content_documents(prefix):
    art = seed(prefix)
    for d in art.documents:
        if d.role in CONTENT_ROLES:
            text = art.text[d.start:d.end]
            assert not [s for s in FURNITURE_SNIPPETS if s in text], (d.doc_id, text[:60])


def test_traditional_version_segments_the_same():
    simp = seed("003")
    trad_text = opencc.OpenCC("s2t").convert(simp.text)
    trad = build_article(trad_text, "trad.txt")
    assert trad.lang == "zh-Hant"
    assert [(d.role, d.start, d.end) for d in trad.documents] == [(d.role, d.start, d.end) for d in simp.documents]
    answer = [d for d in trad.documents if d.role == "answer"][0]
    assert answer.author == "杜俊秋" and answer.credentials == "副主任醫師; 淮安市第二人民醫院; 三甲"
    assert answer.lang == "zh-Hant"


def test_traditional_cue_words():
    text = ("您的位置：首頁 > 中醫 > 針灸 > 正文\n\n針灸後腿軟無力\n\n發佈時間：2024-05-01\n\n"
            "針灸後出現腿軟無力多屬正常反應，通常在1-3天內自行緩解，若持續超過72小時需複查。\n\n"
            "免責聲明：本頁面信息僅供參考。\n\n相關推薦\n\n艾灸多久一次\n艾灸多久一次\n"
            "艾灸一般每週2-3次，每次15-20分鐘，具體需根據體質調整，孕婦與體虛者應在醫師指導下進行...[詳細]\n2024-04-30")
    art = build_article(text, "t.txt")
    r = roles(art)
    assert (r["main"], r["related"]) == (1, 1)
    main = [d for d in art.documents if d.role == "main"][0]
    assert main.title == "針灸後腿軟無力" and main.published == "2024-05-01" and main.lang == "zh-Hant"
    rel = [d for d in art.documents if d.role == "related"][0]
    assert rel.title == "艾灸多久一次" and rel.published == "2024-04-30"


def test_page_without_furniture_is_one_main_document():
    text = "高血压的饮食建议\n\n高血压患者每日食盐摄入量应少于5克,并保持规律运动。\n\n每周至少运动150分钟。"
    art = build_article(text, "plain.txt")
    assert [(d.role, d.start, d.end) for d in art.documents] == [("main", 0, len(text))]
    assert art.documents[0].title == "高血压的饮食建议"


def test_qa_page_whose_first_block_is_the_main_answer():
    text = ("腰椎间盘突出怎么办\n张三 主任醫師\n北京协和医院 三级甲等\n"
            "腰椎间盘突出急性期建议卧床1-3天,避免弯腰负重,必要时手术治疗。\n\n"
            "相关问答\n\n腰疼怎么缓解\n李四 主治医师 上海市第六人民医院 三甲\n腰疼可热敷,每次20分钟。\n")
    art = build_article(text, "qa.txt")
    main = [d for d in art.documents if d.role == "main"]
    ans = [d for d in art.documents if d.role == "answer"]
    assert len(main) == 1 and main[0].author == "张三"
    assert main[0].credentials == "主任醫師; 北京协和医院; 三级甲等"
    assert len(ans) == 1 and ans[0].author == "李四" and ans[0].title == "腰疼怎么缓解"
    assert ans[0].credentials == "主治医师; 上海市第六人民医院; 三甲"


def test_truncated_page_keeps_partial_answer():
    art = seed("003")
    cut = art.text[: art.text.index("张红萍") + 30]
    trunc = build_article(cut, "cut.txt")
    check_invariants(trunc)
    assert [d.author for d in trunc.documents if d.role == "answer"] == ["杜俊秋", "毕连涌", "张红萍"]


def test_english_reverse_byline_and_related_articles():
    text = ("Home > Health > Sleep > Insomnia\n\nHow much sleep do adults need?\n\n"
            "Published: March 3, 2021\n\nMost adults need 7 to 9 hours of sleep per night, according to guidelines.\n"
            "Short sleep below 6 hours is linked to higher risk.\n\n"
            "Related articles\n\nNapping and health\nA nap of 20 minutes can improve alertness without grogginess in most "
            "healthy adults, while longer naps may...\nJan 5, 2021\n\nCopyright 2021 Example Health. All rights reserved.")
    art = build_article(text, "en.txt")
    check_invariants(art)
    main = [d for d in art.documents if d.role == "main"]
    assert len(main) == 1 and main[0].published == "2021-03-03"
    assert main[0].title == "How much sleep do adults need?"
    rel = [d for d in art.documents if d.role == "related"]
    assert len(rel) == 1 and rel[0].title == "Napping and health" and rel[0].published == "2021-01-05"
    assert art.documents[-1].role == "furniture"


def test_html_page_metadata_and_roles(tmp_path):
    html = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>高血压怎么办_某某健康网</title>
    <meta property="og:title" content="高血压怎么办">
    <meta property="og:site_name" content="某某健康网">
    <meta property="article:published_time" content="2024-03-05T10:00:00+08:00">
    <style>.x{color:red}</style><script>var a = "不要显示";</script></head>
    <body><div class="nav">首页 &gt; 心血管 &gt; 高血压 &gt; 正文</div>
    <h1>高血压怎么办</h1><p class="meta">发布时间: 2024-03-05</p>
    <div class="content"><p>高血压患者每天盐摄入应少于5克。</p><p>收缩压超过140mmHg<br>需要就医。</p>
    <div style="display:none">隐藏文字</div><!-- 注释 --></div>
    <h3>相关推荐</h3><ul><li><a href="#">高血压吃什么好</a><p>高血压患者饮食应清淡,多吃蔬菜水果,少吃盐,每天不超过6克,
    适当运动有助于控制血压...[详细]</p><span>2024-02-01</span></li></ul>
    <footer>版权所有 © 某某健康网</footer></body></html>"""
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    art = read_article(p)
    assert art.format == "html"
    for hidden in ("不要显示", "隐藏文字", "注释", "color:red"):
        assert hidden not in art.text
    assert "收缩压超过140mmHg\n需要就医。" in art.text
    assert (art.title, art.published, art.site) == ("高血压怎么办", "2024-03-05", "某某健康网")
    main = [d for d in art.documents if d.role == "main"]
    assert len(main) == 1 and art.text[main[0].start:main[0].end].startswith("高血压患者每天盐摄入应少于5克")
    rel = [d for d in art.documents if d.role == "related"]
    assert len(rel) == 1 and rel[0].published == "2024-02-01" and rel[0].title == "高血压吃什么好"
    assert all(d.site == "某某健康网" for d in art.documents)


def test_html_title_loses_site_suffix(tmp_path):
    page = ('<html><head><title>高血压怎么办_某某健康网</title><meta property="og:site_name" content="某某健康网">'
            '</head><body><p>高血压患者每天盐摄入应少于5克。</p></body></html>')
    (tmp_path / "t.html").write_text(page, encoding="utf-8")
    art = read_article(tmp_path / "t.html")
    assert (art.title, art.site) == ("高血压怎么办", "某某健康网")
    assert art.documents[0].title == "高血压怎么办"


def test_html_time_element_and_jsonld_dates(tmp_path):
    page = ('<html><head><script type="application/ld+json">{"@type": "Article", "datePublished": "2019-11-02"}'
            '</script></head><body><article><h1>Sleep</h1><p>Adults need 7 hours of sleep.</p></article></body></html>')
    (tmp_path / "a.htm").write_text(page)
    assert read_article(tmp_path / "a.htm").published == "2019-11-02"
    page2 = '<html><body><time datetime="2020-02-29T08:00">Feb 29</time><p>Adults need 7 hours.</p></body></html>'
    (tmp_path / "b.html").write_text(page2)
    assert read_article(tmp_path / "b.html").published == "2020-02-29"


def test_frames_columns_and_determinism():
    arts = [seed(p) for p in ["003", "000", "002"]]
    docs = ingest.documents_frame(arts)
    assert list(docs.columns) == ["article", "doc_id", "role", "lang", "start", "end", "title", "author",
                                  "credentials", "published", "site", "chars"]
    assert docs["article"].is_monotonic_increasing
    assert (docs["chars"] == docs["end"] - docs["start"]).all()
    assert docs.equals(ingest.documents_frame(list(reversed(arts))))
    a = ingest.articles_frame(arts)
    assert list(a.columns) == ["article", "encoding", "format", "lang", "title", "published", "site", "chars",
                               "sha256"]
    import hashlib
    row = a[a.article == arts[0].name].iloc[0]
    assert row.sha256 == hashlib.sha256(arts[0].text.encode("utf-8")).hexdigest()
    assert "/" not in "".join(a.article)


def test_header_author_date_and_copyright_site():
    text = ("首页 > 健康问答 > 内科\n胃疼吃什么药好?\n作者：健康网编辑 时间：2023-05-01\n"
            "病情描述：最近胃疼，饭后加重，持续一周了。\n医生回答(2)\n王医生 主治医师\n北京大学第一医院 三甲\n"
            "指导意见：建议服用奥美拉唑，每日1次，连续2周。\n2023-05-01 11:00\n"
            "Copyright © 2005-2023 健康网 版权所有")
    art = build_article(text, "qa.txt")
    main = [d for d in art.documents if d.role == "main"][0]
    assert (main.author, main.published, main.title) == ("健康网编辑", "2023-05-01", "胃疼吃什么药好?")
    ans = [d for d in art.documents if d.role == "answer"][0]
    assert (ans.author, ans.published) == ("王医生", "2023-05-01")
    assert "2023-05-01 11:00" not in art.text[ans.start:ans.end]
    assert art.site == "健康网"


def test_markdown_english_article():
    text = ("# Insomnia: How much sleep do you need?\n\nBy Mayo Clinic Staff\n\nUpdated: 2023-02-10\n\n"
            "Most adults need 7 or more hours of sleep a night.\n\n## Treatment\n\nCBT-I typically lasts 6 to 8 sessions.\n"
            "- Avoid caffeine after 2 p.m.\n\nShare this article\n\n"
            "© 1998-2023 Mayo Foundation for Medical Education and Research. All rights reserved.")
    art = build_article(text, "en.md")
    mains = [d for d in art.documents if d.role == "main"]
    assert len(mains) == 1
    m = mains[0]
    assert (m.title, m.author, m.published) == ("Insomnia: How much sleep do you need?", "Mayo Clinic Staff", "2023-02-10")
    assert art.text[m.start:m.end].endswith("Avoid caffeine after 2 p.m.")
    assert art.site == "Mayo Foundation for Medical Education and Research"


def test_traditional_qa_page_with_meta_bar_and_asker_line():
    text = ("首頁 > 健康問答 > 中醫科 > 針灸\n\n針灸後手臂痠麻要多久才會好？\n\n"
            "2023-11-08 14:20 | 瀏覽 12,580 次 | 收藏 36\n\n提問者：女，30-39歲\n\n"
            "醫師您好，上週做了第2次針灸，之後右手臂一直痠麻，請問正常嗎？\n\n"
            "陳志明 主治醫師\n台北市立聯合醫院 中醫院區\n\n"
            "您好，針灸後出現痠麻大多數在2至3天內會逐漸消退。\n\n平時可熱敷15-20分鐘，每天2到3次。\n\n"
            "※本文僅供參考，不能取代醫師診斷。\n分享到：Facebook LINE\n相關文章\n針灸後頭暈怎麼辦？\n2023-10-02")
    art = build_article(text, "h.txt")
    assert Counter(d.role for d in art.documents) == Counter({"main": 1, "furniture": 2})
    m = [d for d in art.documents if d.role == "main"][0]
    body = art.text[m.start:m.end]
    assert body.startswith("醫師您好") and body.endswith("每天2到3次。")
    assert "30-39歲" not in body and "12,580" not in body
    assert (m.title, m.author, m.credentials, m.published) == (
        "針灸後手臂痠麻要多久才會好？", "陳志明", "主治醫師; 台北市立聯合醫院", "2023-11-08")
    assert m.lang == "zh-Hant"


def test_header_lines_with_dates_authors_and_arrows():
    text = ("健康新知 › 營養保健\n\n抽筋是缺鈣嗎？醫師：這3種原因更常見\n\n2024/05/21 文／林怡君 營養師\n\n"
            "晚上睡覺小腿抽筋，其實血鈣低於2.1mmol/L才算低血鈣。\n\n（本文經授權轉載，未經同意請勿轉載）\n"
            "延伸閱讀：\n腳抽筋怎麼辦？5招快速緩解")
    art = build_article(text, "h4.txt")
    mains = [d for d in art.documents if d.role == "main"]
    assert len(mains) == 1
    m = mains[0]
    assert art.text[m.start:m.end] == "晚上睡覺小腿抽筋，其實血鈣低於2.1mmol/L才算低血鈣。"
    assert (m.title, m.author, m.credentials, m.published) == ("抽筋是缺鈣嗎？醫師：這3種原因更常見", "林怡君", "營養師",
                                                                "2024-05-21")


def test_english_review_byline_is_header_furniture():
    text = ("Home > Health A-Z > Back Pain\n\nSciatica: How Long Does It Last?\n\n"
            "Medically reviewed by Jane Smith, MD — Updated on March 3, 2024 — 5 min read\n\n"
            "Most cases of sciatica get better within 4 to 6 weeks without surgery.\n\n"
            "Copyright 2024 HealthSite. All rights reserved.")
    art = build_article(text, "h3.txt")
    m = [d for d in art.documents if d.role == "main"]
    assert len(m) == 1 and art.text[m[0].start:m[0].end].startswith("Most cases")
    assert (m[0].title, m[0].published, art.site) == ("Sciatica: How Long Does It Last?", "2024-03-03", "HealthSite")


def test_source_author_line_mid_header():
    text = ("当前位置：首页 » 疾病百科 » 内分泌科 » 糖尿病\n\n糖尿病的诊断标准是什么？\n\n"
            "来源：健康之家  作者：王丽 主任医师  2024年3月15日  阅读(3421)\n\n"
            "一般来说，空腹血糖在6.1~7.0mmol/L之间属于空腹血糖受损。\n\n温馨提示：以上内容仅供参考，如有不适请及时就医。")
    art = build_article(text, "h2.txt")
    m = [d for d in art.documents if d.role == "main"][0]
    assert (m.author, m.credentials, m.published) == ("王丽", "主任医师", "2024-03-15")
    assert art.site != "首页"
    assert art.documents[-1].role == "furniture"


def test_related_teasers_without_ellipsis_or_dates_are_split_at_titles():
    text = ("正文标题\n\n高血压患者每日食盐摄入应少于5克,坚持规律运动有助于控制血压。\n\n相关文章\n\n"
            "高血压吃什么好\n高血压患者饮食应以清淡为主,多吃新鲜蔬菜和水果,每天食盐不超过5克。\n"
            "高血压能根治吗\n原发性高血压目前无法根治,但通过长期规范服药,大多数患者血压可以控制在140/90以下。\n"
            "网站地图")
    art = build_article(text, "r.txt")
    rel = [d for d in art.documents if d.role == "related"]
    assert [d.title for d in rel] == ["高血压吃什么好", "高血压能根治吗"]
    assert art.documents[-1].role == "furniture"


def test_html_navigation_footer_and_share_elements_are_furniture(tmp_path):
    page = ("<html><body><nav><ul><li>Home</li><li>Health</li><li>Sleep</li></ul></nav>"
            "<div class='breadcrumb'>Home / Health / Sleep</div>"
            "<article><h1>How much sleep do adults need?</h1><p>Most adults need 7 to 9 hours of sleep.</p>"
            "<div class='share-bar'>Facebook Twitter</div><p>Short sleep below 6 hours raises risk.</p></article>"
            "<div id='site-footer'>About us Contact</div></body></html>")
    (tmp_path / "n.html").write_text(page)
    art = read_article(tmp_path / "n.html")
    check_invariants(art)
    content = " ".join(art.text[d.start:d.end] for d in art.documents if d.role in CONTENT_ROLES)
    assert "Most adults need 7 to 9 hours" in content and "below 6 hours" in content
    for furniture in ("Home", "Facebook", "About us"):
        assert furniture not in content
    assert "\ue010" not in art.text and "\ue011" not in art.text


def test_zh_question_description_joins_the_first_reply():
    text = ("胃疼吃什么药好？\n病情描述：最近胃疼，饭后加重，持续一周了。\n曾经治疗情况和效果：吃过胃药，无效。\n"
            "王医生 主治医师\n北京大学第一医院 三甲\n指导意见：建议服用奥美拉唑，每日1次，连续2周。")
    art = build_article(text, "q.txt")
    assert [(d.role, d.start, d.end) for d in art.documents] == [("main", 0, len(text))]
    assert (art.documents[0].author, art.documents[0].title) == ("王医生", "胃疼吃什么药好？")


def test_article_before_an_unheaded_answer_stays_separate():
    text = ("小腿抽筋的原因\n小腿抽筋多与缺钙、受凉、疲劳有关。\n睡前拉伸小腿肌肉可以减少夜间抽筋。\n"
            "小腿抽筋怎么办\n李四 主治医师\n上海市第六人民医院 三甲\n抽筋时缓慢拉伸痉挛部位,持续1~2分钟。")
    art = build_article(text, "a.txt")
    assert [d.role for d in art.documents] == ["main", "answer"]
    assert art.documents[1].title == "小腿抽筋怎么办"


def test_english_long_question_without_header_is_one_main_qa():
    question = "\n".join(f"Question line {k} describing my symptoms in some detail." for k in range(12))
    text = (f"Numbness after acupuncture?\n\n{question}\n\nDr. Lai Jianhong reply Traditional Chinese Medicine\n\n"
            "These sensations typically resolve within 24 hours.\n\nReply Date: 2017/03/26")
    art = build_article(text, "e.txt")
    assert [d.role for d in art.documents] == ["main", "furniture"]
    assert art.documents[0].start == 0 and art.documents[0].author == "Lai Jianhong"


def test_meta_spans_mark_bylines_and_asker_lines_inside_content():
    art = seed("002")
    spans = ingest.meta_spans(art)
    texts = {art.text[a:b]: kind for a, b, kind in spans}
    assert texts["Hsl, 20~29 year old female. Ask Date: 2017/03/26"] == "asker"
    assert texts["Dr. Lai Jianhong reply Traditional Chinese Medicine"] == "reply"
    assert texts["Reply Date: 2017/03/26"] == "date"
    art3 = seed("003")
    kinds = {art3.text[a:b]: k for a, b, k in ingest.meta_spans(art3)}
    assert kinds["杜俊秋 副主任医师"] == "byline" and kinds["淮安市第二人民医院 三甲"] == "hospital"
    assert not any("肌肉痉挛比较严重时" in t for t in kinds)
