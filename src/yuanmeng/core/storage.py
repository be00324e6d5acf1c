"""Files under MEDIA_ROOT hold identity, bank and mobile numbers in clear (kept uploads, rows to fix, exports,
payment files, applicants' documents): each is created 0600 in folders that are 0700, readable by the
service's own account only.

A umask would not do: it leaves folders made before it (or by another process) as they were, so every
folder from MEDIA_ROOT down to the file is set to 0700 each time a file is put there, and the file is created
0600 before a byte is written into it.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(relative: str) -> Path:
    """MEDIA_ROOT/``relative``, made if missing; it and every folder above it up to MEDIA_ROOT set to 0700."""
    root = Path(settings.MEDIA_ROOT)
    folder = root / relative
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    for each in (folder, *folder.relative_to(root).parents):
        (root / each).chmod(FOLDER_MODE)
    return folder


def private_file(relative: str) -> Path:
    """MEDIA_ROOT/``relative``, created empty with 0600 (in 0700 folders), for a writer to fill."""
    path = Path(settings.MEDIA_ROOT) / relative
    private_folder(str(Path(relative).parent))
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE))
    path.chmod(FILE_MODE)  # a file that was already there keeps its mode through O_CREAT
    return path


class PrivateStorage(FileSystemStorage):
    """Django's file storage (applicants' documents), with the same modes as every other file here."""

    def __init__(self, **kwargs):
        super().__init__(file_permissions_mode=FILE_MODE, directory_permissions_mode=FOLDER_MODE, **kwargs)

    def _save(self, name, content):
        private_folder(str(Path(name).parent))
        return super()._save(name, content)
