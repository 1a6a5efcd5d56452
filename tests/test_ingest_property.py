"""Property test: on any page-like text, segmentation never fails and documents tile the text
in order, without overlap, each on stripped line boundaries."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimaudit.ingest import build_article
from claimaudit.model import LANGS, ROLES
from claimaudit.textnorm import simplified_view

ZH = ["针灸后出现腿软无力多属正常反应,通常在1-3天内缓解。", "醫師建議每日步行30分鐘。", "肌肉痉挛怎么缓解?",
      "腿部针灸后会引起腿软无力", "1、经络刺激:", "血清钾<3.5mmol/L提示低钾血症。", "針灸(zhēn jiǔ)治療"]
EN = ["Numbness usually resolves within 24 hours.", "Is this normal?", "1. Nerve Stimulation: needles may...",
      "Hsl, 20~29 year old female. Ask Date: 2017/03/26", "The Hualien Hospital, Ministry of Health, cares about you."]
FURN = ["您的位置: 复禾首页 > 中医 > 正文", "用手机扫描二维码 在手机上继续观看", "手机查看", "9039次浏览", "免責聲明：僅供參考",
        "本内容不能作为治疗依据", "了解详情", "免费咨询", "Share to:", "[Read More] Something", "Reply Date: 2017/03/26",
        "民福康 | 为用户打造的实用医典", "发布时间: 2025-06-02 12:46", "2025-07-27 06:53", "Copyright 2020 X"]
HEADERS = ["相关推荐", "最新推荐", "延展阅读", "相關推薦", "了解疾病", "Similar Q&A", "More Info", "Related FAQ",
           "Related articles", "相关问答"]
BLOCKS = [
    ["肌肉痉挛怎么缓解?", "杜俊秋 副主任医师", "淮安市第二人民医院 三甲", "运动后30分钟内补充电解质。"],
    ["腰疼怎么办", "李四 主治醫師 北京协和医院 三甲", "热敷每次20分钟。"],
    ["Post-acupuncture pain", "", "The patient felt pain after a...", "", "Dr. Lü Bingcheng reply Traditional Chinese Medicine",
     "After about 5 minutes the pain eased a..."],
    ["什么东西泡酒最好", "什么东西泡酒最好", "泡酒常用的中药材有人参、枸杞等,适合不同体质人群选择...[详细]", "发布于 2025-06-26"],
]

line = st.one_of(
    st.sampled_from(ZH), st.sampled_from(EN), st.sampled_from(FURN), st.sampled_from(HEADERS),
    st.just(""), st.just("   "),
    st.builds(lambda u, n: u * n, st.sampled_from(["a > ", "甲 › ", ", ", "医院 ", "| ", "...", "Dr. X "]),
              st.integers(1, 30)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=40),
)
chunk = st.one_of(line.map(lambda x: [x]), st.sampled_from(BLOCKS))
page = st.lists(chunk, max_size=40).map(lambda chunks: [ln for c in chunks for ln in c])
newline = st.sampled_from(["\n", "\n\n", "\r\n", " \n"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page, newline)
def test_documents_are_ordered_disjoint_spans(lines, nl):
    text = nl.join(lines)
    art = build_article(text, "p.txt")
    assert len(simplified_view(text)) == len(text)
    prev = 0
    for n, d in enumerate(art.documents):
        seg = text[d.start:d.end]
        assert d.text_of(text) == seg == art.doc_text(d)
        assert seg and seg == seg.strip()
        assert prev <= d.start < d.end <= len(text)
        assert d.role in ROLES and d.lang in LANGS
        assert d.doc_id == f"p.txt#{n}"
        prev = d.end
    covered = sum(d.end - d.start for d in art.documents)
    assert covered <= len(text)
    # every non-blank line is inside some document
    starts = [(d.start, d.end) for d in art.documents]
    pos = 0
    for raw in text.split("\n"):
        s = raw.strip()
        if s:
            at = pos + raw.index(s)
            assert any(a <= at < b for a, b in starts), raw
        pos += len(raw) + 1


TAGS = ["div", "p", "nav", "footer", "span", "li", "ul", "h2", "br", "script", "table", "td", "tr", "pre", "a"]
html_piece = st.recursive(
    st.one_of(st.sampled_from(ZH + EN + FURN), st.text(alphabet="<>&; \n\tab甲乙", max_size=10)),
    lambda inner: st.builds(lambda t, cls, kids: f"<{t} class='{cls}'>{''.join(kids)}</{t}>",
                            st.sampled_from(TAGS), st.sampled_from(["", "nav", "share-bar", "content"]),
                            st.lists(inner, max_size=4)),
    max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(html_piece, max_size=6))
def test_html_pages_never_fail_and_furniture_spans_fit(pieces):
    from claimaudit.htmltext import html_to_text

    text, meta = html_to_text("<html><body>" + "".join(pieces) + "</body></html>")
    assert "\ue010" not in text and "\ue011" not in text
    for a, b in meta["furniture_spans"]:
        assert 0 <= a <= b <= len(text)
    if text.strip():
        art = build_article(text, "h.html", meta=meta)
        prev = 0
        for d in art.documents:
            assert prev <= d.start < d.end <= len(text)
            prev = d.end
