"""The command line: thin verbs over the same functions the notebooks call.

User errors (bad files, missing paths, a locked reviews table) print one line naming the problem
and set the exit status; they never print a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import config


class UserError(click.ClickException):
    """An error caused by input, reported as one line."""

    def format_message(self) -> str:
        return self.message


def report_failures(failures) -> None:
    for path, reason in failures:
        click.echo(f"claimaudit: error: {path}: {reason}", err=True)


def progress_wanted() -> bool:
    return sys.stderr.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimaudit")
def cli() -> None:
    """Audit quantitative health claims in article pages (zh-Hans, zh-Hant, en)."""


# --- ingest ---------------------------------------------------------------------------------
@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="documents CSV to write (one row per document)")
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True), default=None,
              help="refuse files larger than this (default: data/segment/common.yaml, 50 MB)")
def ingest_cmd(paths, output, max_mb) -> None:
    """Read PATHS (files or folders), segment each page into documents, write them to a CSV."""
    from . import ingest, store

    max_bytes = int(max_mb * 1024 * 1024) if max_mb else None
    articles, failures = ingest.ingest_paths(paths, progress=progress_wanted(), max_bytes=max_bytes)
    report_failures(failures)
    docs = ingest.documents_frame(articles)
    store.write_csv(docs, output, ingest.DOC_COLUMNS)
    click.echo(f"{len(docs)} documents from {len(articles)} articles -> {output}", err=True)
    sys.exit(1 if failures else 0)


# --- extract --------------------------------------------------------------------------------
@cli.command("extract")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="claims CSV to write")
def extract_cmd(paths, output) -> None:
    """Extract and grade every quantitative claim of PATHS (files or folders) into a CSV."""
    from . import ingest, pipeline, reference, store
    from .schema_columns import claim_columns

    articles, failures = ingest.ingest_paths(paths, progress=progress_wanted())
    report_failures(failures)
    claims = pipeline.claims_for(articles, reference.load_reference())
    store.write_csv(claims, output, claim_columns(claims))
    click.echo(f"{len(claims)} claims from {len(articles)} articles -> {output}", err=True)
    sys.exit(1 if failures else 0)


# --- audit (the main job) ---------------------------------------------------------------------
@cli.command("audit")
@click.argument("paths", nargs=-1)
@click.option("--claims-dir", type=click.Path(file_okay=False), default=None,
              help="where the claims data package lives (default: the project's claims/)")
@click.option("--reports-dir", type=click.Path(file_okay=False), default=None,
              help="where reports are written (default: the project's reports/)")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", default=None, help="dask.distributed scheduler address (default: a LocalCluster)")
def audit_cmd(paths, claims_dir, reports_dir, engine, scheduler) -> None:
    """The main job: audit PATHS (default: the project's articles/) into claims/ and reports/."""
    from . import pipeline, store

    paths = list(paths) or [str(config.articles_dir())]
    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    rdir = Path(reports_dir) if reports_dir else config.reports_dir()
    try:
        tables = pipeline.run_audit(paths, cdir, rdir, engine=engine, scheduler=scheduler,
                                    progress=progress_wanted())
    except store.LockedError as e:
        raise UserError(f"claimaudit: error: {e}")
    report_failures(tables.failures)
    click.echo(
        f"{len(tables.articles)} articles, {len(tables.documents)} documents, {len(tables.claims)} claims, "
        f"{len(tables.groups)} groups -> {cdir} ; reports -> {rdir}", err=True)
    sys.exit(1 if tables.failures else 0)


# --- check (the publishing gate) --------------------------------------------------------------
@cli.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--max-grade-e-precise", type=click.IntRange(min=0), default=None,
              help="fail an article with more than N grade-E precise claims (default: no limit)")
@click.option("--fail-on", default="operator_mismatch,value_deviates",
              show_default=True,
              help="comma-separated rules: operator_mismatch, value_deviates, conflicting")
@click.option("--claims-dir", type=click.Path(file_okay=False), default=None,
              help="claims data package holding reviews.csv and reference.csv (default: the project's)")
def check_cmd(paths, max_grade_e_precise, fail_on, claims_dir) -> None:
    """Exit 1 when PATHS break a rule (one `file:line:col: rule: quote` line per finding), else 0.

    A finding is dropped once the claim's latest review is accept, reject, correct or regrade.
    """
    from . import check

    try:
        rules = check.parse_fail_on(fail_on)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--fail-on")
    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    result = check.run_check(paths, cdir, rules, max_grade_e_precise)
    report_failures(result.failures)
    for f in result.findings:
        click.echo(f.format())
    click.echo(f"claimaudit check: {len(result.findings)} finding(s) in {result.articles} article(s), "
               f"{len(result.suppressed)} reviewed", err=True)
    sys.exit(0 if result.ok else 1)


# --- review (reviewer decisions; see claimaudit.review) ------------------------------------------
_claims_dir_option = click.option("--claims-dir", type=click.Path(file_okay=False), default=None,
                                  help="claims data package (default: the project's claims/)")


def _review_call(fn, *args, **kwargs):
    """Run a review function, turning lock/validation errors into one-line user errors."""
    from . import review, store

    try:
        return fn(*args, **kwargs)
    except (review.ReviewError, store.LockedError) as e:
        raise UserError(f"claimaudit: error: {e}")


@cli.group("review")
def review_group() -> None:
    """Reviewer decisions: record, Excel export/import, orphans, re-attach (reviews.csv is append-only)."""


@review_group.command("record")
@click.argument("claim_id")
@click.option("--reviewer", required=True)
@click.option("--decision", required=True, help="accept, correct, reject, regrade, needs_citation, defer")
@click.option("--reason", default="", help="a code of data/review_reasons.yaml")
@click.option("--note", default="")
@click.option("--value-low", type=float, default=None)
@click.option("--value-high", type=float, default=None)
@click.option("--unit", default="")
@click.option("--comparator", default="")
@click.option("--grade", default="")
@_claims_dir_option
def review_record_cmd(claim_id, reviewer, decision, reason, note, value_low, value_high, unit, comparator,
                      grade, claims_dir) -> None:
    """Append one decision on CLAIM_ID to reviews.csv."""
    from . import review

    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    row = _review_call(review.record_review, cdir, claim_id, reviewer, decision, reason, note,
                       value_low=value_low, value_high=value_high, unit=unit, comparator=comparator,
                       grade=grade, via="cli")
    click.echo(f"review {row['review_id']}: {claim_id} {decision} -> {cdir / 'reviews.csv'}", err=True)


@review_group.command("export")
@_claims_dir_option
@click.option("--to", "to", type=click.Path(dir_okay=False), required=True, help="workbook to write (.xlsx)")
def review_export_cmd(claims_dir, to) -> None:
    """Write a workbook of every claim with its current review state, for reviewers."""
    from . import review

    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    n = _review_call(review.export_workbook, cdir, to)
    click.echo(f"{n} claims -> {to}", err=True)


@review_group.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("--reviewer", required=True, help="name recorded on every imported review")
@_claims_dir_option
def review_import_cmd(workbook, reviewer, claims_dir) -> None:
    """Append the rows changed in WORKBOOK (from `review export`) to reviews.csv."""
    from . import review

    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    res = _review_call(review.import_workbook, cdir, workbook, reviewer)
    for w in res.warnings:
        click.echo(f"claimaudit: warning: {w}", err=True)
    click.echo(f"{len(res.appended)} review(s) appended -> {cdir / 'reviews.csv'}", err=True)


@review_group.command("orphans")
@_claims_dir_option
def review_orphans_cmd(claims_dir) -> None:
    """List reviews whose claim disappeared or changed id, with the best candidate claim."""
    from . import review

    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    orph = _review_call(review.find_orphans, cdir)
    for r in orph.to_dict("records"):
        cand = (f"-> candidate {r['candidate_claim_id']} (score {r['candidate_score']:.2f}) {r['candidate_quote']!r}"
                if r["candidate_claim_id"] else "-> no candidate in the article")
        click.echo(f"review {r['review_id']}\t{r['claim_id']}\t{r['article']}\t{r['decision']}\t"
                   f"{r['quote']!r}\t{cand}")
    click.echo(f"{len(orph)} orphaned review(s); re-attach with "
               f"`claimaudit review attach REVIEW_ID_OR_OLD_CLAIM_ID NEW_CLAIM_ID`", err=True)


@review_group.command("queue")
@_claims_dir_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def review_queue_cmd(claims_dir, limit) -> None:
    """The claims to review first (priority points and why), as the review-queue notebook ranks them."""
    from . import review, store

    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    claims = _review_call(review.load_claims, cdir)
    groups = store.load_table(cdir, "groups") if (cdir / "groups.csv").is_file() else None
    queue = review.review_queue(claims, review.load_reviews(cdir), groups=groups)
    for r in queue.head(limit).to_dict("records"):
        click.echo(f"{r['priority']}\t{r['claim_id']}\t{r['article']}\t{r.get('grade', '')}\t"
                   f"{r['quote']!r}\t{r['why']}")
    click.echo(f"{len(queue)} claim(s) in the queue", err=True)


@review_group.command("attach")
@click.argument("source")
@click.argument("new_claim_id")
@click.option("--reviewer", default=None, help="name on the new row (default: the original reviewer)")
@_claims_dir_option
def review_attach_cmd(source, new_claim_id, reviewer, claims_dir) -> None:
    """Carry the review SOURCE (a review_id or an old claim id) over to NEW_CLAIM_ID (appends a row)."""
    from . import review

    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    row = _review_call(review.attach, cdir, source, new_claim_id, reviewer=reviewer)
    click.echo(f"review {row['review_id']}: {row['decision']} carried over from review "
               f"{row['attached_from']} to {new_claim_id}", err=True)


def main() -> None:
    cli(prog_name="claimaudit")


if __name__ == "__main__":
    main()
