"""The sign-in and lock screen: a PIN pad (touch) that also takes typed digits, Backspace and Enter.

Signals:
    pin_entered(str): the cashier confirmed a PIN.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.layout import pin_field


class SignInScreen(QWidget):
    """PIN pad."""

    pin_entered = Signal(str)

    def __init__(self, store_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signIn")
        self.store = QLabel(store_name, objectName="storeName")
        self.store.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.store.setWordWrap(True)  # a long store name wraps inside the PIN box
        self.prompt = QLabel(objectName="pinPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        self.pin = pin_field("pin")
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.returnPressed.connect(self._submit)
        self.prompt.setBuddy(self.pin)  # the PIN field's accessible name: "Enter your PIN"
        self.message = QLabel(objectName="messageArea")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # keypads keep 1-2-3 left to right and Enter on the right in every language (as phones and card
        # terminals do): the pad is laid out left to right even when the screen reads right to left
        self.pad = QWidget(objectName="pinPad")
        self.pad.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        pad = QGridLayout(self.pad)
        pad.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate("123456789C0⏎"):
            button = QPushButton(key, objectName=f"pinKey_{i}")
            button.setProperty("pinKey", True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            pad.addWidget(button, i // 3, i % 3)
            self.keys[key] = button
        box = QWidget(objectName="pinBox")
        box.setFixedWidth(320)
        inner = QVBoxLayout(box)
        for widget in (self.store, self.prompt, self.pin):
            inner.addWidget(widget)
        inner.addWidget(self.pad)
        inner.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.prompt.setText(self.tr("Enter your PIN"))
        self.keys["C"].setToolTip(self.tr("Clear"))
        self.keys["⏎"].setToolTip(self.tr("Sign in"))
        for key in ("C", "⏎"):  # a screen reader says "Clear", "Sign in", not the symbol
            self.keys[key].setAccessibleName(self.keys[key].toolTip())

    def _press(self, key: str) -> None:
        if key == "C":
            self.pin.clear()
        elif key == "⏎":
            self._submit()
        else:
            self.pin.insert(key)

    def _submit(self) -> None:
        pin = self.pin.text()
        self.pin.clear()
        if pin:
            self.pin_entered.emit(pin)

    def reset(self, message: str = "") -> None:
        self.pin.clear()
        self.message.setText(message)
        self.pin.setFocus()
