"""Save-as dialogs that start in the user's Documents folder, or the folder last saved to.

Never the program's working folder: from a checkout that is the source tree, and a PDF
with names and phone numbers does not belong there.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtWidgets import QFileDialog, QWidget


class _LastFolder:
    """The folder this desk last saved into, for as long as it runs."""

    path: Path | None = None


def start_folder() -> Path:
    last = _LastFolder.path
    return last if last is not None and last.is_dir() else Path(platformdirs.user_documents_dir())


def ask_save_path(parent: QWidget, caption: str, file_name: str, filters: str) -> Path | None:
    """The path the person chose for ``file_name`` (None when they cancelled)."""
    chosen, _ = QFileDialog.getSaveFileName(
        parent, caption, str(start_folder() / file_name), filters
    )
    if not chosen:
        return None
    path = Path(chosen)
    _LastFolder.path = path.parent
    return path
