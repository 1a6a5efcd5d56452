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
    from . import pipeline

    paths = list(paths) or [str(config.articles_dir())]
    cdir = Path(claims_dir) if claims_dir else config.claims_dir()
    rdir = Path(reports_dir) if reports_dir else config.reports_dir()
    tables = pipeline.run_audit(paths, cdir, rdir, engine=engine, scheduler=scheduler,
                                progress=progress_wanted())
    report_failures(tables.failures)
    click.echo(
        f"{len(tables.articles)} articles, {len(tables.documents)} documents, {len(tables.claims)} claims, "
        f"{len(tables.groups)} groups -> {cdir} ; reports -> {rdir}", err=True)
    sys.exit(1 if tables.failures else 0)


def main() -> None:
    cli(prog_name="claimaudit")


if __name__ == "__main__":
    main()
