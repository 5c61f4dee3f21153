"""Import: the JSON document of the README, and a CSV of candidates for one job.

Every record goes through the domain operations (create_user, save_job,
restore_application, add_application), in one transaction: the first bad record
stops the import, nothing of it stays, and the error names the file and the record.
Records that already exist (users by email, jobs and applications by ref) are left
exactly as they are, so importing the same file twice changes nothing.
"""

from portal.interchange.csvfile import import_csv
from portal.interchange.export import export
from portal.interchange.fields import Counts
from portal.interchange.fields import ImportFailed
from portal.interchange.importer import import_document
from portal.interchange.importer import import_json

__all__ = ["Counts", "ImportFailed", "export", "import_csv", "import_document", "import_json"]
