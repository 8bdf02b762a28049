"""The signature pad: mouse strokes become a PNG; empty pads and dots are refused."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desk.ui.signature_pad import DOT_MESSAGE, EMPTY_MESSAGE, SignatureBox, SignaturePad


def draw(pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    """One stroke through ``points`` with the left mouse button held."""
    first = QPoint(*points[0])
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
    for x, y in points[1:]:
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[-1])
    )


def scribble(pad: SignaturePad) -> None:
    draw(pad, [(30 + 12 * i, 90 + (25 if i % 2 else -25)) for i in range(25)])
    draw(pad, [(60, 130), (200, 120), (320, 125)])


def make_box(qtbot: QtBot) -> SignatureBox:
    box = SignatureBox("The patient signs", "Patient: Zoë Ñandú")
    qtbot.addWidget(box)
    box.resize(600, 260)
    box.show()
    qtbot.waitExposed(box)
    return box


def test_a_drawn_signature_is_accepted_as_a_cropped_transparent_png(qtbot: QtBot) -> None:
    box = make_box(qtbot)
    scribble(box.pad)
    with qtbot.waitSignal(box.accepted) as signal:
        qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    png = signal.args[0]
    assert png == box.png and png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGBA"
    # Cropped to the ink (about 300 x 70 px on screen) at twice the screen resolution.
    assert 500 < image.width < 800 and 100 < image.height < 250
    assert image.getpixel((0, 0))[3] == 0  # transparent background
    assert image.getchannel("A").getextrema()[1] == 255  # and real ink
    assert box.message.text() == "Signature accepted."
    assert not box.accept_button.isEnabled()


def test_an_empty_pad_is_refused_with_a_message(qtbot: QtBot) -> None:
    box = make_box(qtbot)
    with qtbot.assertNotEmitted(box.accepted):
        qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert box.message.text() == EMPTY_MESSAGE
    assert box.png == b""


def test_a_dot_or_a_tiny_tick_is_refused(qtbot: QtBot) -> None:
    box = make_box(qtbot)
    draw(box.pad, [(100, 100), (101, 100)])
    with qtbot.assertNotEmitted(box.accepted):
        qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert box.message.text() == DOT_MESSAGE
    draw(box.pad, [(100 + i, 100 + i % 2) for i in range(20)])  # many points, 5 mm long
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert box.message.text() == DOT_MESSAGE


def test_clear_empties_the_pad_and_allows_signing_again(qtbot: QtBot) -> None:
    box = make_box(qtbot)
    scribble(box.pad)
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    accepted_points = box.pad.stats().points
    draw(box.pad, [(10, 10), (300, 10)])  # an accepted signature takes no more ink
    assert box.pad.stats().points == accepted_points
    qtbot.mouseClick(box.clear_button, Qt.MouseButton.LeftButton)
    assert box.pad.is_empty() and box.png == b"" and box.accept_button.isEnabled()
    scribble(box.pad)
    with qtbot.waitSignal(box.accepted):
        qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)


def test_the_accept_message_clears_when_the_person_draws_again(qtbot: QtBot) -> None:
    box = make_box(qtbot)
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert box.message.text() == EMPTY_MESSAGE
    scribble(box.pad)
    assert box.message.text() == ""
