"""Help → User guide: a guide per role, shipped, opened inside the desk, pictures present."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.domain.roles import Role
from desk.resources import resource_path
from desk.services import settings
from desk.services.context import Desk
from desk.ui.mainwindow import MainWindow
from desk.ui.session import Session
from desk.ui.user_guide import GUIDES, UserGuideDialog
from tests.helpers.fixtures import add_person


def test_every_picture_a_guide_shows_is_shipped() -> None:
    for _role, _title, file_name in GUIDES:
        text = resource_path("guide", file_name).read_text(encoding="utf-8")
        pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
        assert pictures, f"{file_name} shows no screen"
        for picture in pictures:
            assert resource_path("guide", picture).is_file(), f"{file_name}: {picture} missing"


def test_f1_opens_the_receptionists_guide_with_the_demo_sign_in(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    rita = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "rita", Role.RECEPTIONIST))
    window = MainWindow(Session(rita, settings.clinic_info(rita), "clinic.sqlite3"), "desk-1")
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: any(isinstance(w, UserGuideDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    guide = next(w for w in QApplication.topLevelWidgets() if isinstance(w, UserGuideDialog))
    page = guide.page(Role.RECEPTIONIST)
    assert guide.tabs.currentWidget() is page
    text = page.toPlainText()
    assert "demo-password" in text and "rita" in text
    board = page.document().resource(QTextDocument.ResourceType.ImageResource,
                                     QUrl("screens/board.png"))
    assert board is not None and not board.isNull()
    guide.close()
