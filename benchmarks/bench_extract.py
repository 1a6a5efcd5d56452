"""Speed and scale of claimaudit against its peers, measured in one run on one synthetic corpus.

    python benchmarks/bench_extract.py --sizes 1000,10000          # the README / `make bench` run
    python benchmarks/bench_extract.py --sizes 1000,10000,100000   # the linearity check
    python benchmarks/bench_extract.py --sizes 2000 --dask --dask-size 20000

The corpus recombines the paragraphs of the bundled pages (``articles/``): each synthetic page keeps
the line skeleton of a seed page of its language (breadcrumbs, titles, dates, headings, related
Q&A blocks) and refills every content paragraph with sentences drawn from all seeds of that
language, with the digits of each number varied; a third of the pages are zh-Hant (OpenCC s2t of a
simplified page), a third zh-Hans and a third English. Every page is a pure function of
(seed, index), so any size can be rebuilt exactly.

Per size, a fresh interpreter (``multiprocessing`` spawn) measures, on the same texts:
  digit scan     ``re.finditer(r"\\d+")`` over every page (the floor any extractor is compared to)
  ingest         ``claimaudit.ingest`` from in-memory text (segmentation, language)
  extract        ``extract.extract_claims`` (grammar + sentences + cues + claim ids)
  grammar        ``quantities.find_quantities`` alone over the content documents
  full audit     ingest + ``pipeline.analyze`` (extract → grade → reference → consistency)
  quantulum3     ``quantulum3.parser.parse`` on an English sample of the corpus, and claimaudit's
                 extraction on the very same sample (the like-for-like ratio)
Peak memory is the child's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (peak resident set,
interpreter and libraries included; the baseline after imports is reported beside it).

No figure here is asserted: the script prints and writes ``benchmarks/results/latest.json`` and
``benchmarks/results/latest.md``. Standard library + claimaudit (+ quantulum3, dask when asked).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import multiprocessing as mp
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ARTICLES = HERE.parent / "articles"
DEFAULT_OUT = HERE / "results"
DIGITS = re.compile(r"\d+")
PEERS_REFERENCE = {  # the figures for the peers on this machine class, characters/s
    "quantulum3 (en)": 38_000, "Duckling": 40_000, "Recognizers-Text": 3_000,
    "re.finditer(r'\\d+')": 18_000_000,
}

# --- the corpus -------------------------------------------------------------------------------
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ZH_SENT = re.compile(r"[^。！？；!?;]*[。！？；!?;]+|[^。！？；!?;]+$")
_EN_SENT = re.compile(r"\S.*?(?:[.!?](?=\s|$)|$)")
_NUMBER = re.compile(r"\d+")
PARAGRAPH_MIN = 30  # a line this long with sentence punctuation is content; the rest is skeleton
_PUNCT = re.compile(r"[。，；！？,.;!?]")


def is_paragraph(line: str) -> bool:
    """Content paragraphs are refilled; breadcrumbs, titles, dates and headings are kept."""
    return len(line.strip()) >= PARAGRAPH_MIN and bool(_PUNCT.search(line))


def is_zh(text: str) -> bool:
    """A seed page is Chinese when Han characters outnumber Latin letters."""
    han = len(_HAN.findall(text))
    latin = sum(c.isascii() and c.isalpha() for c in text)
    return han > latin


def split_sentences(line: str, zh: bool) -> list[str]:
    """Rough sentence split, only to recombine seed text (not claimaudit's own splitter)."""
    rx = _ZH_SENT if zh else _EN_SENT
    return [m.group(0).strip() for m in rx.finditer(line) if m.group(0).strip()]


def load_seeds(articles_dir: Path) -> dict[str, dict]:
    """Seed skeletons and sentence pools per language family (``zh``, ``en``)."""
    fam: dict[str, dict] = {"zh": {"skeletons": [], "pool": []}, "en": {"skeletons": [], "pool": []}}
    for p in sorted(articles_dir.glob("*.txt")):
        text = p.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        zh = is_zh(text)
        f = fam["zh" if zh else "en"]
        lines = text.split("\n")
        f["skeletons"].append(lines)
        for line in lines:
            if is_paragraph(line):
                f["pool"].extend(split_sentences(line, zh))
    for name, f in fam.items():
        if not f["skeletons"]:
            raise SystemExit(f"bench: no {name} seed page in {articles_dir}")
    return fam


def vary_numbers(text: str, rng: random.Random) -> str:
    """Each digit run gets random digits of the same length (no leading zero added)."""
    def repl(m: re.Match) -> str:
        s = m.group(0)
        if rng.random() < 0.3:
            return s
        first = s[0] if s[0] == "0" else str(rng.randint(1, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in s[1:])
    return _NUMBER.sub(repl, text)


def refill(line: str, pool: list[str], zh: bool, rng: random.Random) -> str:
    """A content paragraph with as many sentences as ``line``, drawn from the pool, numbers varied."""
    n = max(1, len(split_sentences(line, zh)) + rng.randint(-1, 1))
    sents = [vary_numbers(rng.choice(pool), rng) for _ in range(n)]
    return ("" if zh else " ").join(sents)


_S2T = None


def to_traditional(text: str) -> str:
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2t")
    return _S2T.convert(text)


LANG_CYCLE = ("zh-Hans", "zh-Hant", "en")


def make_page(i: int, seeds: dict, seed: int = 0) -> tuple[str, str, str]:
    """Page ``i`` of the corpus: (file name, text, intended language). Pure in (i, seeds, seed)."""
    rng = random.Random(f"{seed}:{i}")
    lang = LANG_CYCLE[i % 3]
    zh = lang != "en"
    fam = seeds["zh" if zh else "en"]
    skeleton = rng.choice(fam["skeletons"])
    out = [refill(line, fam["pool"], zh, rng) if is_paragraph(line) else line for line in skeleton]
    text = "\n".join(out)
    if lang == "zh-Hant":
        text = to_traditional(text)
    return f"bench_{i:06d}.txt", text, lang


def make_corpus(n: int, seeds: dict, seed: int = 0) -> list[tuple[str, str, str]]:
    return [make_page(i, seeds, seed) for i in range(n)]


# --- claimaudit entry points ----------------------------------------------------------------------
def articles_from_texts(pages: list[tuple[str, str, str]]):
    """In-memory ``Article`` objects through claimaudit's own ingestion of text (no files), with
    the collector settings ``ingest.ingest_paths`` uses for files."""
    from claimaudit import ingest
    from claimaudit.batching import batch_gc

    with batch_gc():
        return [ingest.build_article(text, name) for name, text, _ in pages]


def content_docs(articles):
    from claimaudit.model import CONTENT_ROLES

    return [(a.text, d) for a in articles for d in a.documents if d.role in CONTENT_ROLES]


# --- measuring --------------------------------------------------------------------------------
def maxrss_mb() -> float:
    """Peak resident set of this process so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def digit_scan(texts: list[str]) -> int:
    n = 0
    for t in texts:
        for _ in DIGITS.finditer(t):
            n += 1
    return n


def grammar_only(arts) -> int:
    """The quantity grammar over every content document, inside ``corpus_stage`` as in extraction
    (outside it, a corpus larger than the views' LRU would convert pages again and the figure
    would drop with size for a reason the pipeline never meets)."""
    from claimaudit import quantities
    from claimaudit.batching import corpus_stage

    n = 0
    with corpus_stage(arts):
        for text, d in content_docs(arts):
            n += len(quantities.find_quantities(text, d.lang, d.start, d.end))
    return n


def english_sample(pages, limit: int) -> list[tuple[str, str, str]]:
    """The first English pages of the corpus, up to ``limit`` characters (at least one page)."""
    out, total = [], 0
    for p in pages:
        if p[2] == "en":
            if out and total + len(p[1]) > limit:
                break
            out.append(p)
            total += len(p[1])
    return out


def measure_peers(pages, limit: int) -> dict:
    """quantulum3 and claimaudit's extraction on the same English text."""
    import warnings

    from claimaudit import extract

    sample = english_sample(pages, limit)
    chars = sum(len(t) for _, t, _ in sample)
    res: dict = {"sample_articles": len(sample), "sample_chars": chars}
    arts = articles_from_texts(sample)
    extract.extract_claims(articles_from_texts(english_sample(pages[::-1], 1)))  # warm-up
    reps = 0
    t0 = time.perf_counter()
    while True:  # repeat so the short claimaudit timing is not noise
        extract.extract_claims(arts)
        reps += 1
        if time.perf_counter() - t0 > 1.0 or reps >= 50:
            break
    res["claimaudit_chars_per_s"] = chars * reps / (time.perf_counter() - t0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import parser

            parser.parse("warm up with 3 mg and 5 days")
            _, dt = timed(lambda: [parser.parse(t) for _, t, _ in sample])
        res["quantulum3_chars_per_s"] = chars / dt
        res["claimaudit_over_quantulum3"] = res["claimaudit_chars_per_s"] / res["quantulum3_chars_per_s"]
    except ImportError as e:  # quantulum3 is a dev dependency
        res["quantulum3_error"] = str(e)
    return res


def warm_up(seeds: dict, seed: int, ref) -> None:
    """One small audit on other pages first: lazy data loading and regex compilation are not
    throughput, and would otherwise be charged to the smallest size."""
    from claimaudit import pipeline

    warm = [make_page(i, seeds, seed + 7919) for i in range(6)]
    pipeline.analyze(articles_from_texts(warm), ref)


def measure_size(n: int, opts: dict) -> dict:
    """Every single-process figure for a corpus of ``n`` pages (run in a fresh interpreter)."""
    import gc

    from claimaudit import extract, pipeline, reference

    base_rss = maxrss_mb()
    seeds = load_seeds(Path(opts["articles"]))
    pages, gen_s = timed(make_corpus, n, seeds, opts["seed"])
    texts = [t for _, t, _ in pages]
    chars = sum(map(len, texts))
    r: dict = {"articles": n, "chars": chars, "generate_s": gen_s,
               "langs": {k: sum(p[2] == k for p in pages) for k in LANG_CYCLE}}
    r["digit_matches"], r["digit_scan_s"] = timed(digit_scan, texts)
    ref = reference.load_reference()
    warm_up(seeds, opts["seed"], ref)
    arts, r["ingest_s"] = timed(articles_from_texts, pages)
    claims, r["extract_s"] = timed(extract.extract_claims, arts)
    r["claims"] = len(claims)
    del claims
    r["grammar_quantities"], r["grammar_s"] = timed(grammar_only, arts)
    del arts
    gc.collect()
    r["rss_before_audit_mb"] = maxrss_mb()

    def full_audit():
        return pipeline.analyze(articles_from_texts(pages), ref)

    tables, r["audit_s"] = timed(full_audit)
    r["audit_claims"], r["audit_groups"] = len(tables.claims), len(tables.groups)
    del tables
    r["peak_rss_mb"] = maxrss_mb()
    r["baseline_rss_mb"] = base_rss
    if opts.get("files"):
        r.update(measure_files(pages))
    for k in ("digit_scan", "extract", "grammar", "audit", "ingest"):
        r[f"{k}_chars_per_s"] = chars / r[f"{k}_s"] if r[f"{k}_s"] else float("inf")
    r["extract_articles_per_s"] = n / r["extract_s"]
    r["audit_articles_per_s"] = n / r["audit_s"]
    r["extract_over_digit_scan"] = r["extract_chars_per_s"] / r["digit_scan_chars_per_s"]
    r["grammar_over_digit_scan"] = r["grammar_chars_per_s"] / r["digit_scan_chars_per_s"]
    return r


def measure_files(pages) -> dict:
    """Reading the same pages from files (``ingest.ingest_paths``): the I/O + decoding share."""
    from claimaudit import ingest

    with tempfile.TemporaryDirectory(prefix="claimaudit-bench-") as d:
        for name, text, _ in pages:
            (Path(d) / name).write_text(text, encoding="utf-8")
        (arts, failures), dt = timed(ingest.ingest_paths, [d])
    return {"files_ingest_s": dt, "files_failures": len(failures)}


def _child(n: int, opts: dict, conn) -> None:
    try:
        conn.send(("ok", measure_size(n, opts)))
    except BaseException as e:  # report, never hang the parent
        import traceback

        conn.send(("error", f"{e!r}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def run_isolated(n: int, opts: dict) -> dict:
    """``measure_size`` in a fresh interpreter, so each size's peak memory is its own."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(n, opts, child))
    p.start()
    child.close()
    status, payload = parent.recv()
    p.join()
    if status != "ok":
        raise SystemExit(f"bench: size {n} failed:\n{payload}")
    return payload


# --- dask ------------------------------------------------------------------------------------
def measure_dask(n: int, opts: dict) -> dict:
    """The Dask engine end to end on ``n`` pages written to files, with 1 and with 2 worker processes.

    Per run: ``audit_files`` (workers read, segment, extract, grade, check, match concepts; the
    parallel part) and ``pipeline.assemble`` on the client (grouping across articles; serial). Cluster start and
    worker warm-up are reported apart and not included.
    """
    from distributed import Client, LocalCluster

    from claimaudit import distributed_engine, ingest, pipeline, reference

    seeds = load_seeds(Path(opts["articles"]))
    pages = make_corpus(n, seeds, opts["seed"])
    ref = reference.load_reference()
    out: dict = {"articles": n, "chars": sum(len(t) for _, t, _ in pages), "runs": {}}
    with tempfile.TemporaryDirectory(prefix="claimaudit-bench-dask-") as d:
        for name, text, _ in pages:
            (Path(d) / name).write_text(text, encoding="utf-8")
        del pages
        local, base = None, "local"
        if opts.get("dask_local", True):
            t0 = time.perf_counter()
            arts, _ = ingest.ingest_paths([d])
            local = pipeline.analyze(arts, ref).claims
            out["local_audit_s"] = time.perf_counter() - t0
            del arts
        for workers in opts["dask_workers"]:
            t0 = time.perf_counter()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                start_s = time.perf_counter() - t0
                _, warm_s = timed(client.run, _warm_worker)  # data files and regexes, once per worker
                parts, par_s = timed(distributed_engine.audit_files, [d], ref, client)
            tables, ser_s = timed(pipeline.assemble, parts, ref)
            out["runs"][str(workers)] = {"cluster_start_s": start_s, "warm_s": warm_s, "per_article_s": par_s,
                                         "client_s": ser_s, "audit_s": par_s + ser_s,
                                         "claims": len(tables.claims)}
            if local is None:  # no local run: the 2-worker result is compared with the 1-worker one
                local, base = tables.claims, "1 worker"
            else:
                out["runs"][str(workers)]["equal_to"] = base
                out["runs"][str(workers)]["equal"] = _same(tables.claims, local)
            del parts, tables
    runs = out["runs"]
    if "1" in runs and "2" in runs:
        out["speedup_2_over_1"] = runs["1"]["per_article_s"] / runs["2"]["per_article_s"]
        out["audit_speedup_2_over_1"] = runs["1"]["audit_s"] / runs["2"]["audit_s"]
    return out


def _warm_worker() -> None:
    from claimaudit import ingest, pipeline, reference

    text = "约30%的患者在2小时内缓解。About 30% of patients improve within 2 hours."
    pipeline.claims_for([ingest.build_article(text, "warm.txt")], reference.load_reference())


def _same(a, b) -> bool:
    try:
        import pandas.testing as pdt

        pdt.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
        return True
    except AssertionError:
        return False


# --- profiling --------------------------------------------------------------------------------
def profile(n: int, opts: dict, out_dir: Path) -> dict:
    """pyinstrument profiles of extraction and of the full audit (text files in ``out_dir``)."""
    from pyinstrument import Profiler

    from claimaudit import extract, pipeline, reference

    seeds = load_seeds(Path(opts["articles"]))
    pages = make_corpus(n, seeds, opts["seed"])
    ref = reference.load_reference()
    arts = articles_from_texts(pages)
    paths = {}
    for name, fn in (("extract", lambda: extract.extract_claims(arts)),
                     ("audit", lambda: pipeline.analyze(articles_from_texts(pages), ref))):
        prof = Profiler(interval=0.001)
        prof.start()
        fn()
        prof.stop()
        p = out_dir / f"profile-{name}.txt"
        p.write_text(prof.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
        paths[name] = str(p)
    return paths


# --- reporting --------------------------------------------------------------------------------
def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": load_average()}


def load_average() -> list[float] | None:
    """1/5/15-minute load: figures taken on a busy machine are slower than the machine is."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def human(x: float) -> str:
    for div, suf in ((1e6, " M"), (1e3, " k")):
        if abs(x) >= div:
            return f"{x / div:.2f}{suf}"
    return f"{x:.1f}"


def scaling(res: dict) -> dict | None:
    """Growth from the second-largest to the largest size. With a recheck the smaller size's time
    is the mean of its runs before and after the largest one, so a drift of the machine's speed
    during the long run shows as a spread instead of passing for growth."""
    sz = res["sizes"]
    if len(sz) < 2:
        return None
    a, b = sz[-2], sz[-1]
    again = res.get("recheck")
    audits = [a["audit_s"]] + ([again["audit_s"]] if again else [])
    extracts = [a["extract_s"]] + ([again["extract_s"]] if again else [])
    return {"from": a["articles"], "to": b["articles"], "audit_runs_s": audits,
            "audit_growth": b["audit_s"] / (sum(audits) / len(audits)),
            "extract_growth": b["extract_s"] / (sum(extracts) / len(extracts))}


def scaling_text(res: dict) -> str:
    g = scaling(res)
    runs = " and ".join(f"{t:.1f} s" for t in g["audit_runs_s"])
    how = f"; {g['from']} audit {runs} (before and after)" if len(g["audit_runs_s"]) > 1 else ""
    return (f"scaling {g['from']} -> {g['to']} articles (x{g['to'] / g['from']:.0f}): extract time "
            f"x{g['extract_growth']:.2f}, audit time x{g['audit_growth']:.2f}{how}")


def render_text(res: dict) -> str:
    lines = [f"claimaudit benchmark  ({res['machine']['cpu']}, {res['machine']['cores']} cores, "
             f"Python {res['machine']['python']}; load average at start {res['machine']['load_average_at_start']}, "
             f"at end {res.get('load_average_at_end')})", f"command: {res['command']}"]
    for r in res["sizes"]:
        lines.append(f"\n== {r['articles']} articles, {r['chars']:,} characters "
                     f"({', '.join(f'{k} {v}' for k, v in r['langs'].items())})")
        lines.append(f"  digit scan   {human(r['digit_scan_chars_per_s'])}chars/s")
        lines.append(f"  ingest       {human(r['ingest_chars_per_s'])}chars/s  ({r['ingest_s']:.2f} s, from text)")
        lines.append(f"  grammar      {human(r['grammar_chars_per_s'])}chars/s  ({r['grammar_quantities']} quantities)")
        lines.append(f"  extract      {human(r['extract_chars_per_s'])}chars/s  "
                     f"{human(r['extract_articles_per_s'])}articles/s  ({r['extract_s']:.2f} s, {r['claims']} claims)")
        lines.append(f"  full audit   {human(r['audit_chars_per_s'])}chars/s  "
                     f"{human(r['audit_articles_per_s'])}articles/s  ({r['audit_s']:.2f} s, "
                     f"{r['audit_claims']} claims, {r['audit_groups']} groups)")
        if "files_ingest_s" in r:
            lines.append(f"  files        ingest_paths {r['files_ingest_s']:.2f} s "
                         f"({human(r['chars'] / r['files_ingest_s'])}chars/s, {r['files_failures']} failures)")
        lines.append(f"  peak memory  {r['peak_rss_mb']:.0f} MB  (ru_maxrss of the measuring process; "
                     f"{r['baseline_rss_mb']:.0f} MB after imports)")
        lines.append(f"  ratios       extract/digit-scan {r['extract_over_digit_scan']:.3f}"
                     f"   grammar/digit-scan {r['grammar_over_digit_scan']:.3f}"
                     + (f"   extract(corpus)/quantulum3 {r['extract_over_quantulum3']:.0f}x"
                        if "extract_over_quantulum3" in r else ""))
    pe = res.get("peers")
    if pe:
        if "quantulum3_chars_per_s" in pe:
            lines.append(f"\n== peers on the same English text ({pe['sample_articles']} pages, {pe['sample_chars']:,} chars)")
            lines.append(f"  quantulum3   {human(pe['quantulum3_chars_per_s'])}chars/s;  claimaudit extract "
                         f"{human(pe['claimaudit_chars_per_s'])}chars/s  -> claimaudit/quantulum3 "
                         f"{pe['claimaudit_over_quantulum3']:.1f}x")
        else:
            lines.append(f"\nquantulum3 not measured: {pe.get('quantulum3_error')}")
    sz = res["sizes"]
    if len(sz) > 1:
        lines.append("\n" + scaling_text(res))
    d = res.get("dask")
    if d:
        local = (f"; local engine, whole audit from files {d['local_audit_s']:.2f} s" if "local_audit_s" in d
                 else " (local run skipped: equality is checked against the 1-worker result)")
        lines.append(f"\n== dask, {d['articles']} articles ({d['chars']:,} chars){local}")
        for w, run in d["runs"].items():
            lines.append(f"  {w} worker(s)  per-article stages on the workers {run['per_article_s']:.2f} s"
                         f" + grouping on the client {run['client_s']:.2f} s = {run['audit_s']:.2f} s  (cluster start "
                         f"{run['cluster_start_s']:.2f} s, warm-up {run['warm_s']:.2f} s, not included"
                         + (f"; equal to {run['equal_to']}: {run['equal']})" if "equal" in run else ")"))
        if "speedup_2_over_1" in d:
            lines.append(f"  speed-up 2 workers over 1: per-article stages {d['speedup_2_over_1']:.2f}x, "
                         f"whole audit {d['audit_speedup_2_over_1']:.2f}x")
    return "\n".join(lines)


def render_markdown(res: dict) -> str:
    m = res["machine"]
    load = m.get("load_average_at_start")
    out = [f"Measured {res['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB, "
           f"Python {m['python']}; 1-min load average {load[0] if load else '?'} at start), single process, "
           f"with `{res['command']}`:", "",
           "| articles | characters | extract chars/s | extract articles/s | full audit | audit articles/s "
           "| peak RSS | extract / digit scan | extract / quantulum3 |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["sizes"]:
        q = f"{r['extract_over_quantulum3']:.1f}×" if "extract_over_quantulum3" in r else "–"
        out.append(f"| {r['articles']:,} | {r['chars']:,} | {human(r['extract_chars_per_s'])} "
                   f"| {human(r['extract_articles_per_s'])} | {r['audit_s']:.1f} s "
                   f"| {human(r['audit_articles_per_s'])} | {r['peak_rss_mb']:.0f} MB "
                   f"| {r['extract_over_digit_scan']:.3f} | {q} |")
    g = scaling(res)
    if g:
        out += ["", f"Growth {g['from']:,} → {g['to']:,} articles: audit ×{g['audit_growth']:.2f}, extraction "
                f"×{g['extract_growth']:.2f}" + (f" (the {g['from']:,}-article audit measured before and after the "
                f"largest run: " + " and ".join(f"{t:.1f} s" for t in g["audit_runs_s"]) + ")"
                if len(g["audit_runs_s"]) > 1 else "") + "."]
    pe = res.get("peers", {})
    if "quantulum3_chars_per_s" in pe:
        out += ["", f"On the same {pe['sample_chars']:,} English characters: quantulum3 "
                f"{human(pe['quantulum3_chars_per_s'])}chars/s, claimaudit extract {human(pe['claimaudit_chars_per_s'])}"
                f"chars/s ({pe['claimaudit_over_quantulum3']:.1f}×)."]
    if all("grammar_over_digit_scan" in r for r in res["sizes"]):
        out += ["", "Quantity grammar alone (numbers with their units, the job the peers do; no sentences, cues "
                "or claim rows): " + ", ".join(f"{human(r['grammar_chars_per_s'])}chars/s = "
                f"{r['grammar_over_digit_scan']:.3f}× the digit scan at {r['articles']:,}" for r in res["sizes"]) + "."]
    out += ["", "Digit scan = `re.finditer(r\"\\d+\")` over the same text; extract / quantulum3 = claimaudit's "
            "extraction over the whole corpus against quantulum3's speed on its English pages. Peak RSS = `resource.getrusage` `ru_maxrss` of the "
            "measuring process (interpreter and libraries included). Full audit = ingest from text → extract → "
            "grade → reference → consistency."]
    d = res.get("dask")
    if d and "speedup_2_over_1" in d:
        r1, r2 = d["runs"]["1"], d["runs"]["2"]
        out += ["", f"Dask engine (`audit --engine dask`: workers read the files), {d['articles']:,} articles: "
                f"per-article stages 1 worker {r1['per_article_s']:.1f} s, 2 workers {r2['per_article_s']:.1f} s "
                f"→ speed-up {d['speedup_2_over_1']:.2f}×; whole audit with grouping on the client "
                f"{r1['audit_s']:.1f} s → {r2['audit_s']:.1f} s ({d['audit_speedup_2_over_1']:.2f}×)."]
    return "\n".join(out) + "\n"


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (articles)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--articles", default=str(DEFAULT_ARTICLES), help="seed pages to recombine")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="folder for latest.json / latest.md")
    ap.add_argument("--peer-chars", type=int, default=100_000,
                    help="English characters given to quantulum3 (0: skip the peer)")
    ap.add_argument("--files", action="store_true", help="also time reading the pages from files")
    ap.add_argument("--dask", action="store_true", help="measure the Dask engine with 1 and 2 workers")
    ap.add_argument("--dask-size", type=int, default=20_000)
    ap.add_argument("--dask-skip-local", action="store_true",
                    help="skip the single-process run the Dask results are compared with")
    ap.add_argument("--no-recheck", action="store_true",
                    help="do not measure the second-largest size again after the largest (the growth "
                         "figure then compares runs made minutes apart on a machine whose speed drifts)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="write pyinstrument profiles of extract and audit on N articles")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = [int(s.replace("_", "").replace("k", "000")) for s in args.sizes.split(",") if s.strip()]
    opts = {"articles": args.articles, "seed": args.seed, "peer_chars": args.peer_chars,
            "files": args.files, "dask_workers": (1, 2), "dask_local": not args.dask_skip_local}
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = "python benchmarks/bench_extract.py " + " ".join(sys.argv[1:] if argv is None else argv)
    res: dict = {"date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 "command": cmd.strip(), "machine": machine(), "peers_reference_chars_per_s": PEERS_REFERENCE,
                 "memory_measure": "resource.getrusage(RUSAGE_SELF).ru_maxrss of a fresh process per size",
                 "sizes": []}
    for n in sizes:
        print(f"bench: {n} articles ...", file=sys.stderr, flush=True)
        res["sizes"].append(run_isolated(n, opts))
    if len(sizes) >= 2 and not args.no_recheck:  # this machine's speed drifts: bracket the largest run
        print(f"bench: {sizes[-2]} articles again ...", file=sys.stderr, flush=True)
        res["recheck"] = run_isolated(sizes[-2], opts)
    if args.peer_chars > 0:  # the sample is the corpus's first English pages: the same for every size
        print("bench: quantulum3 ...", file=sys.stderr, flush=True)
        pages = make_corpus(max(sizes), load_seeds(Path(args.articles)), args.seed)
        res["peers"] = measure_peers(pages, args.peer_chars)
        q = res["peers"].get("quantulum3_chars_per_s")
        for r in res["sizes"]:
            if q:
                r["extract_over_quantulum3"] = r["extract_chars_per_s"] / q
    if args.dask:
        print(f"bench: dask on {args.dask_size} articles ...", file=sys.stderr, flush=True)
        res["dask"] = measure_dask(args.dask_size, opts)
    if args.profile:
        res["profiles"] = profile(args.profile, opts, out_dir)
    res["load_average_at_end"] = load_average()
    (out_dir / "latest.json").write_text(json.dumps(res, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out_dir / "latest.md").write_text(render_markdown(res), encoding="utf-8")
    print(render_text(res))
    print(f"\nwrote {out_dir / 'latest.json'} and {out_dir / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
