"""Import a CSV of candidates (name,email[,ref][,stage]) into one job."""

import csv
import io

from portal import domain
from portal.errors import Invalid
from portal.interchange.fields import Counts
from portal.interchange.fields import ImportFailed
from portal.interchange.fields import naming
from portal.interchange.fields import read_text
from portal.interchange.importer import Importer
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate

CSV_COLUMNS = ("name", "email", "ref", "stage")


def import_csv(path: str, job_ref: str, send_links: bool = False) -> Counts:
    """Add the candidates of a CSV file (name,email[,ref][,stage]) to one job;
    ``send_links`` emails each new candidate the link to their page (after the commit:
    a failed import sends nothing)."""
    header, rows = _read_rows(path)
    with naming(path, "header"):
        _check_header(header)
    counts = Counts()
    importer = Importer(path)
    with database.atomic():
        with naming(path, "--job"):
            job, _ = importer.job(job_ref)
        taken = dict(
            Candidate.select(Candidate.email, Application.ref)
            .join(Application)
            .where(Application.job == job)
            .tuples()
        )
        emails, refs = {}, {}
        for number, values in rows:
            if not any(v.strip() for v in values):
                continue
            with naming(path, f"line {number}"):
                if len(values) != len(header):
                    raise Invalid(f"expected {len(header)} columns, found {len(values)}")
                row = dict(zip(header, values, strict=True))
                email = domain.normalise_email(row["email"])
                if email in emails:
                    raise Invalid(f"duplicate email {email} (also line {emails[email]})")
                emails[email] = number
                ref = row.get("ref", "").strip()
                if ref in refs:
                    raise Invalid(f"duplicate ref {ref} (also line {refs[ref]})")
                if ref:
                    refs[ref] = number
                if _already_there(job, ref, email, taken):
                    counts.present["applications"] += 1
                    continue
                stage = importer.stage(job_ref, row.get("stage", "").strip())
                # A quoted name may span lines: one line of text is what a page shows.
                name = " ".join(row["name"].split())
                domain.add_application(
                    None, job, name, email, ref=ref, stage=stage, tell=send_links
                )
                counts.created["applications"] += 1
    return counts


def _read_rows(path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows, each with the line it starts on (quoted fields span lines)."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    rows, start = [], 1
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        start = reader.line_num + 1
        for values in reader:
            rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFailed(f"{path}: line {start}: {error}") from None
    return header, rows


def _already_there(job, ref: str, email: str, taken: dict[str, str]) -> bool:
    """Whether this row is an application of the job already; Invalid if only half of it is."""
    existing = Application.get_or_none(Application.ref == ref) if ref else None
    if existing is not None:
        if existing.job_id != job.id:
            raise Invalid(
                f"ref {ref} is already taken by an application for job {existing.job.ref}"
            )
        if existing.candidate.email != email:
            raise Invalid(
                f"ref {ref} is already taken by an application of {existing.candidate.email}, "
                f"not {email}"
            )
        return True
    if email in taken:
        if ref:
            raise Invalid(
                f"{email} already has an application for {job.ref} with ref {taken[email]}, "
                f"not {ref}"
            )
        return True
    return False


def _check_header(header: list[str]) -> None:
    """Refuse unknown, missing or repeated columns."""
    for column in header:
        if column not in CSV_COLUMNS:
            raise Invalid(
                f"unknown column {column!r} (expected name,email and optionally ref,stage)"
            )
    for column in ("name", "email"):
        if column not in header:
            raise Invalid(f"the column {column!r} is missing (expected name,email[,ref][,stage])")
    if len(set(header)) != len(header):
        raise Invalid("a column appears twice")
