"""Help → User guide: the short guide for each role, shipped under ``resources/guide``.

The guides are Markdown with screenshots that ``make screenshots`` takes of the real
windows, so what they show is what the desk looks like. The tab of the signed-in person's
own role opens first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk.domain.roles import Role
from desk.resources import resource_path
from desk.ui.forms import named

if TYPE_CHECKING:
    from desk.services.context import Actor

#: (role, tab title, file) in the order the tabs appear.
GUIDES = (
    (Role.RECEPTIONIST, "&Reception", "receptionist.md"),
    (Role.NURSE, "&Nurse", "nurse.md"),
    (Role.ADMIN, "&Admin", "admin.md"),
)


def guide_page(file_name: str) -> QTextBrowser:
    """One guide, its pictures resolved beside it."""
    page = named(QTextBrowser(), f"guide_{file_name.removesuffix('.md')}")
    page.setOpenExternalLinks(False)
    path = resource_path("guide", file_name)
    if path.is_file():
        page.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
    else:  # a broken install: say so instead of showing an empty page
        page.setPlainText(f"The guide {file_name} is missing from this installation; "
                          "ask IT to reinstall the desk.")
    return page


class UserGuideDialog(QDialog):
    def __init__(self, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("User guide")
        self.setObjectName("userGuide")
        self.tabs = named(QTabWidget(), "guideTabs")
        for _role, title, file_name in GUIDES:
            self.tabs.addTab(guide_page(file_name), title)
        own = next((n for n, (role, _t, _f) in enumerate(GUIDES) if actor.has(role)), 0)
        self.tabs.setCurrentIndex(own)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.resize(900, 640)  # fits a 1366×768 screen with its title bar and the taskbar

    def page(self, role: Role) -> QTextBrowser:
        index = next(n for n, (r, _t, _f) in enumerate(GUIDES) if r is role)
        widget = self.tabs.widget(index)
        assert isinstance(widget, QTextBrowser)
        return widget
