"""A synthetic corpus with planted agreement and conflict, for the consistency tests.

Pages are generated from sentence templates over the concept lexicon, in zh-Hans, zh-Hant (the
zh-Hans page through OpenCC s2t) and en. Every planted group has a known key, known agreeing claims
and (in conflict groups) claims far from the others. Each claim's row is built by hand with the
contract's columns (its span found in the generated page), so the test runs without the extractor;
``write_pages`` also writes the pages for an end-to-end run through ingest + extract.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import opencc

from consistency_frames import claim_row, frame

S2T = opencc.OpenCC("s2t")

# measure id -> (canonical unit, unit family, centre range, subject type)
MEASURES = {
    "serum_potassium": ("mmol/L", "molar_concentration", (2.5, 6.0), "condition"),
    "serum_calcium": ("mmol/L", "molar_concentration", (1.8, 2.8), "condition"),
    "fasting_glucose": ("mmol/L", "molar_concentration", (4.0, 11.0), "condition"),
    "hba1c": ("percent", "percent", (5.0, 9.0), "condition"),
    "vitamin_b12_level": ("pg/mL", "mass_concentration", (100.0, 400.0), "condition"),
    "ankle_brachial_index": ("ratio", "ratio", (0.5, 1.3), "condition"),
    "ngf_expression": ("fold", "fold", (1.5, 4.0), "exposure"),
    "nerve_conduction_velocity": ("percent", "percent", (10.0, 60.0), "exposure"),
    "weakness_numbness_duration": ("hour", "time", (6.0, 200.0), "exposure"),
}
UNIT_TEXT = {"zh": {"mmol/L": "mmol/L", "percent": "%", "pg/mL": "pg/mL", "ratio": "", "fold": "倍",
                    "hour": "小时", "day": "天"},
             "en": {"mmol/L": " mmol/L", "percent": "%", "pg/mL": " pg/mL", "ratio": "", "fold": "-fold",
                    "hour": " hours", "day": " days"}}

ZH_LEVEL = ["{S}患者的{M}{Q},需要引起重视。", "临床上判断{S}时,{M}{Q}是常用的参考标准之一。",
            "{M}{Q}常见于{S},建议定期复查相关指标。", "医生提醒,{S}人群{M}{Q}的情况并不少见。",
            "多项观察提示,{S}与{M}{Q}有关。", "{S}的诊断通常参考{M}{Q}这一数值。"]
EN_LEVEL = ["In patients with {S}, {M} is usually {Q}.", "Doctors often diagnose {S} when {M} is {Q}.",
            "A {M} of {Q} is typical of {S}.", "For people with {S}, a {M} {Q} is common.",
            "Guidance on {S} mentions {M} values {Q}."]
ZH_EFFECT = ["{S}能使{M}增加{Q}。", "研究显示{S}后{M}提高了{Q}。", "有报道称{S}可让{M}上升{Q}。",
             "动物实验中{S}使{M}升高{Q}。"]
EN_EFFECT = ["{S} increased {M} by {Q}.", "After {S}, {M} rose by {Q}.",
             "Studies report that {S} raises {M} by {Q}.", "In rats, {S} improved {M} by {Q}."]
ZH_TIME = ["{S}后出现{M},多数在{Q}自行缓解。", "{S}引起的{M}通常{Q}可以恢复。",
           "接受{S}以后有些人会{M},一般{Q}会消失。", "{S}治疗后的{M}大多{Q}逐渐减轻。"]
EN_TIME = ["{M} after {S} usually resolves {Q}.", "Most people with {M} after {S} recover {Q}.",
           "The {M} that follows {S} tends to subside {Q}.", "After {S}, any {M} should disappear {Q}."]
ZH_PREFIX = ["", "据相关资料介绍,", "专家表示,", "从临床经验来看,", "有医生指出,", "科普文章写道,"]
EN_PREFIX = ["", "According to clinicians, ", "Experts say that ", "In clinical practice, ",
             "One review notes that "]
DISTRACTORS = [("每天步行{v}分钟有益身心健康。", "minute"), ("Drink {v} glasses of water a day.", "count")]


@dataclass
class Claim:
    lang: str
    comparator: str
    low: float | None
    high: float | None
    unit: str
    approx: bool
    agrees: bool  # planted: inside the group's consensus


@dataclass
class Group:
    key: str
    subject: str
    measure: str
    conflict: bool
    claims: list[Claim] = field(default_factory=list)


def _num(v: float, unit: str) -> str:
    if unit == "ratio":
        return f"{v:.2f}"
    return f"{v:.1f}" if v < 20 else f"{round(v):d}"


def _claim(rng: random.Random, c: float, unit: str, agrees: bool, time: bool) -> tuple[str, list[float]]:
    """A comparator and its printed values, agreeing with centre ``c`` or far above it."""
    if agrees:
        forms = ["eq", "approx", "range", "le"]  # not gt: (0.9c, inf) would meet the outliers
        comp = rng.choice(forms)
        vals = {"eq": [c], "approx": [c * rng.uniform(0.93, 1.07)], "range": [c * 0.85, c * 1.15],
                "le": [c * 1.1], "gt": [c * 0.9]}[comp]
    else:
        comp = rng.choice(["eq", "range", "approx"] + ([] if time else ["gt"]))
        vals = {"eq": [c * rng.uniform(2.5, 3.0)], "range": [c * 2.2, c * 2.8], "approx": [c * 3.0],
                "gt": [c * 2.0]}[comp]
    return comp, vals


def _q_text(fam: str, comp: str, nums: list[str], unit: str, time: bool) -> str:
    u = UNIT_TEXT[fam][unit]
    a, b = nums[0], nums[-1]
    if fam == "zh":
        if time:
            forms = {"eq": f"{a}{u}", "approx": f"约{a}{u}", "range": f"{a}-{b}{u}", "le": f"{a}{u}内"}
        else:
            forms = {"eq": f"为{a}{u}", "approx": f"约{a}{u}", "range": f"在{a}-{b}{u}之间",
                     "le": f"不超过{a}{u}", "gt": f">{a}{u}"}
    elif time:
        forms = {"eq": f"in {a}{u}", "approx": f"in about {a}{u}", "range": f"in {a} to {b}{u}",
                 "le": f"within {a}{u}"}
    else:
        forms = {"eq": f"{a}{u}", "approx": f"about {a}{u}", "range": f"{a} to {b}{u}",
                 "le": f"no more than {a}{u}", "gt": f"above {a}{u}"}
    return forms[comp]


def _term(rng: random.Random, concept, fam: str) -> str:
    terms = concept.terms[fam]
    return terms[0] if rng.random() < 0.7 or len(terms) == 1 else rng.choice(terms[:3])


def corpus(seed: int = 11, conflict_share: float = 0.4, skip_measures: tuple[str, ...] = ()):
    """(claims frame, planted groups, pages {article: text}, expected {claim_id: group key},
    distractor claim ids)."""
    from claimaudit import consistency as cs

    rng = random.Random(seed)
    lex = cs.lexicon()
    combos = []
    for mid, (_, _, _, stype) in MEASURES.items():
        if mid in skip_measures:
            continue
        for sid, s in lex.subjects.items():
            if s.type == stype:
                combos.append((sid, mid))
    groups: list[Group] = []
    rows: list[dict] = []
    pages: dict[str, str] = {}
    expected: dict[str, str] = {}
    n_art = 0
    for sid, mid in combos:
        unit, ufam, (c0, c1), _ = MEASURES[mid]
        time = ufam == "time"
        g = Group(key=f"g-{sid}-{mid}-{ufam}", subject=sid, measure=mid, conflict=rng.random() < conflict_share)
        n_agree = rng.randint(2, 4) if g.conflict else rng.randint(3, 5)
        n_conf = rng.randint(1, 2) if g.conflict else 0
        c = rng.uniform(c0, c1)
        zh_t = list(range(len(ZH_TIME if time else ZH_EFFECT if MEASURES[mid][3] == "exposure" else ZH_LEVEL)))
        en_t = list(range(len(EN_TIME if time else EN_EFFECT if MEASURES[mid][3] == "exposure" else EN_LEVEL)))
        rng.shuffle(zh_t)
        rng.shuffle(en_t)
        same_page: str | None = None
        for k in range(n_agree + n_conf):
            agrees = k < n_agree
            lang = rng.choice(["zh-Hans", "zh-Hant", "en"])
            fam = "en" if lang == "en" else "zh"
            if fam == "zh" and not zh_t or fam == "en" and not en_t:
                lang, fam = ("en", "en") if en_t else ("zh-Hans", "zh")
            tmpl_i = (zh_t if fam == "zh" else en_t).pop()
            if time:
                tmpl = (ZH_TIME if fam == "zh" else EN_TIME)[tmpl_i]
            elif MEASURES[mid][3] == "exposure":
                tmpl = (ZH_EFFECT if fam == "zh" else EN_EFFECT)[tmpl_i]
            else:
                tmpl = (ZH_LEVEL if fam == "zh" else EN_LEVEL)[tmpl_i]
            comp, vals = _claim(rng, c, unit, agrees, time)
            shown_unit = unit
            if time and rng.random() < 0.5 and min(vals) >= 24:
                vals, shown_unit = [v / 24 for v in vals], "day"
            nums = [_num(v, shown_unit) for v in vals]
            q = _q_text(fam, comp, nums, shown_unit, time)
            prefix = rng.choice(ZH_PREFIX if fam == "zh" else EN_PREFIX)
            body = tmpl.format(S=_term(rng, lex.subjects[sid], fam), M=_term(rng, lex.measures[mid], fam), Q=q)
            if prefix and fam == "en" and not body.startswith(("NGF", "HbA1c")):
                body = body[0].lower() + body[1:]
            sentence = prefix + body
            printed = [float(x) for x in nums]
            low, high = {"eq": (printed[0], printed[0]), "approx": (printed[0], printed[0]),
                         "range": (printed[0], printed[-1]), "le": (None, printed[0]),
                         "gt": (printed[0], None)}[comp]
            claim = Claim(lang, comp, low, high, shown_unit, comp == "approx", agrees)
            g.claims.append(claim)
            if lang == "zh-Hant":
                sentence = S2T.convert(sentence)
            # a conflict group sometimes holds its outlier on the page of an agreeing claim
            if not agrees and g.conflict and same_page is not None and rng.random() < 0.3:
                art = same_page
                sep = "" if fam == "zh" else " "
                text = pages[art] + sep + sentence
            else:
                art = f"{n_art:04d}_synthetic.txt"
                n_art += 1
                text = ("健康科普\n\n" if fam == "zh" else "Health notes\n\n") + sentence
            if agrees and same_page is None:
                same_page = art
            pages[art] = text
            if lang == "zh-Hant":
                q = S2T.convert(q)
            quote = q
            for lead in ("为", "在", "in "):  # words before the quantity, not part of it
                if quote.startswith(lead):
                    quote = quote[len(lead):]
            quote = quote.removesuffix("之间").removesuffix("之間")
            s = text.rindex(quote)
            cid = f"c{len(rows):012d}"
            rows.append(claim_row(art, text, s, s + len(quote), lang, low, high, shown_unit, comp,
                                  claim.approx, claim_id=cid, planted_group=g.key, agrees=agrees))
            expected[cid] = g.key
        groups.append(g)
    distractors = []
    for i in range(20):
        tmpl, unit = DISTRACTORS[i % 2]
        v = rng.randint(2, 40)
        text = tmpl.format(v=v)
        art = f"{n_art:04d}_synthetic.txt"
        n_art += 1
        pages[art] = text
        s = text.index(str(v))
        cid = f"c{len(rows):012d}"
        lang = "en" if text[0].isascii() else "zh-Hans"
        rows.append(claim_row(art, text, s, s + len(str(v)), lang, v, v, unit, "eq", claim_id=cid,
                              planted_group="", agrees=True))
        distractors.append(cid)
    return frame(rows), groups, pages, expected, distractors


def write_pages(pages: dict[str, str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in sorted(pages.items()):
        p = folder / name
        p.write_text(text + "\n", encoding="utf-8")
        out.append(p)
    return out
