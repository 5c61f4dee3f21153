"""Import a CSV of candidates (name,email[,ref][,stage]) into one job."""

import csv

from portal import domain
from portal.db import database
from portal.errors import Invalid
from portal.interchange.fields import Counts
from portal.interchange.fields import ImportFailed
from portal.interchange.fields import naming
from portal.interchange.fields import read_text
from portal.interchange.importer import Importer
from portal.models import Application
from portal.models import Candidate

CSV_COLUMNS = ("name", "email", "ref", "stage")


def import_csv(path: str, job_ref: str) -> Counts:
    """Add the candidates of a CSV file (name,email[,ref][,stage]) to one job."""
    lines = read_text(path).splitlines()
    reader = csv.reader(lines, strict=True)
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        rows = list(reader)
    except csv.Error as error:
        raise ImportFailed(f"{path}: line {reader.line_num}: {error}") from None
    with naming(path, "header"):
        _check_header(header)
    counts = Counts()
    importer = Importer(path)
    with database.atomic():
        with naming(path, "--job"):
            job, _ = importer.job(job_ref)
        taken = set(
            Candidate.select(Candidate.email)
            .join(Application)
            .where(Application.job == job)
            .tuples()
        )
        seen = {}
        for number, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue
            with naming(path, f"line {number}"):
                if len(values) != len(header):
                    raise Invalid(f"expected {len(header)} columns, found {len(values)}")
                row = dict(zip(header, values, strict=True))
                email = domain.normalise_email(row["email"])
                if email in seen:
                    raise Invalid(f"duplicate email {email} (also line {seen[email]})")
                seen[email] = number
                ref = row.get("ref", "").strip()
                exists = Application.get_or_none(Application.ref == ref) if ref else None
                if exists or (email,) in taken:
                    counts.present["applications"] += 1
                    continue
                stage = importer.stage(job_ref, row.get("stage", "").strip())
                domain.add_application(None, job, row["name"], email, ref=ref, stage=stage)
                counts.created["applications"] += 1
    return counts


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
