"""The one place the UI imports Qt from (PySide6).

Every other module under ``ui/`` writes ``from ui.qt import QTableView, Signal`` instead of
importing PySide6 directly, so a binding upgrade or a swap touches this file only, and a
test can see at a glance which parts of Qt the program uses.  The core packages
(``justice_desktop``, ``sync``) never import this module: ``tests/test_architecture.py``
enforces it.
"""

from __future__ import annotations

import ctypes
import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import PySide6
from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Signal

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ below
    from PySide6.QtCharts import (
        QBarCategoryAxis,
        QBarSeries,
        QBarSet,
        QChart,
        QChartView,
        QLineSeries,
        QPieSeries,
        QValueAxis,
    )
    from PySide6.QtCore import (
        QAbstractItemModel,
        QAbstractListModel,
        QAbstractTableModel,
        QBuffer,
        QByteArray,
        QCoreApplication,
        QDate,
        QDateTime,
        QElapsedTimer,
        QEvent,
        QIODevice,
        QItemSelectionModel,
        QLibraryInfo,
        QLocale,
        QMessageLogContext,
        QPoint,
        QPointF,
        QRect,
        QRectF,
        QSettings,
        QSize,
        QSortFilterProxyModel,
        QStringListModel,
        Qt,
        QThread,
        QTime,
        QTimer,
        QtMsgType,
        QTranslator,
        QUrl,
        SignalInstance,
        Slot,
        qInfo,
        qInstallMessageHandler,
    )
    from PySide6.QtGui import (
        QAction,
        QBrush,
        QCloseEvent,
        QColor,
        QDesktopServices,
        QDoubleValidator,
        QFont,
        QFontDatabase,
        QFontInfo,
        QFontMetrics,
        QGuiApplication,
        QIcon,
        QImage,
        QInputMethodEvent,
        QIntValidator,
        QKeyEvent,
        QKeySequence,
        QPageLayout,
        QPageSize,
        QPainter,
        QPalette,
        QPixmap,
        QRegularExpressionValidator,
        QShortcut,
        QShowEvent,
        QStandardItem,
        QStandardItemModel,
        QValidator,
    )
    from PySide6.QtPdf import (
        QPdfDocument,
    )
    from PySide6.QtPdfWidgets import (
        QPdfView,
    )
    from PySide6.QtPrintSupport import (
        QPrintDialog,
        QPrinter,
    )
    from PySide6.QtTest import (
        QTest,
    )
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSpinBox,
        QApplication,
        QButtonGroup,
        QCalendarWidget,
        QCheckBox,
        QComboBox,
        QCompleter,
        QDateEdit,
        QDateTimeEdit,
        QDialog,
        QDialogButtonBox,
        QDoubleSpinBox,
        QFileDialog,
        QFormLayout,
        QFrame,
        QGridLayout,
        QGroupBox,
        QHBoxLayout,
        QHeaderView,
        QInputDialog,
        QLabel,
        QLineEdit,
        QListView,
        QListWidget,
        QListWidgetItem,
        QMainWindow,
        QMenu,
        QMessageBox,
        QPlainTextEdit,
        QProgressBar,
        QProgressDialog,
        QPushButton,
        QRadioButton,
        QScrollArea,
        QSizePolicy,
        QSpacerItem,
        QSpinBox,
        QSplitter,
        QStackedWidget,
        QStatusBar,
        QStyle,
        QTableView,
        QTableWidget,
        QTableWidgetItem,
        QTabWidget,
        QTextBrowser,
        QTextEdit,
        QTimeEdit,
        QToolBar,
        QToolButton,
        QTreeWidget,
        QTreeWidgetItem,
        QVBoxLayout,
        QWidget,
        QWizard,
        QWizardPage,
    )

# Each name is looked up in its PySide6 module the first time a module of ours imports it.
# PySide6 creates a class's Python type on first access; creating all ~120 at start-up costs
# ~30 ms of every start, so only what the first screen uses is made then.
_SOURCES: dict[str, str] = {
    "QBarCategoryAxis": "QtCharts",
    "QBarSeries": "QtCharts",
    "QBarSet": "QtCharts",
    "QChart": "QtCharts",
    "QChartView": "QtCharts",
    "QLineSeries": "QtCharts",
    "QPieSeries": "QtCharts",
    "QValueAxis": "QtCharts",
    "QAbstractItemModel": "QtCore",
    "QLibraryInfo": "QtCore",
    "QLocale": "QtCore",
    "QTranslator": "QtCore",
    "QAbstractListModel": "QtCore",
    "QAbstractTableModel": "QtCore",
    "QBuffer": "QtCore",
    "QByteArray": "QtCore",
    "QCoreApplication": "QtCore",
    "QDate": "QtCore",
    "QDateTime": "QtCore",
    "QElapsedTimer": "QtCore",
    "QEvent": "QtCore",
    "QIODevice": "QtCore",
    "QItemSelectionModel": "QtCore",
    "QMessageLogContext": "QtCore",
    "QPoint": "QtCore",
    "QPointF": "QtCore",
    "QRect": "QtCore",
    "QRectF": "QtCore",
    "QSettings": "QtCore",
    "QSize": "QtCore",
    "QSortFilterProxyModel": "QtCore",
    "QStringListModel": "QtCore",
    "Qt": "QtCore",
    "QThread": "QtCore",
    "QTime": "QtCore",
    "QTimer": "QtCore",
    "QtMsgType": "QtCore",
    "QUrl": "QtCore",
    "SignalInstance": "QtCore",
    "Slot": "QtCore",
    "qInfo": "QtCore",
    "qInstallMessageHandler": "QtCore",
    "QAction": "QtGui",
    "QBrush": "QtGui",
    "QCloseEvent": "QtGui",
    "QColor": "QtGui",
    "QDesktopServices": "QtGui",
    "QDoubleValidator": "QtGui",
    "QFont": "QtGui",
    "QFontDatabase": "QtGui",
    "QFontInfo": "QtGui",
    "QFontMetrics": "QtGui",
    "QGuiApplication": "QtGui",
    "QIcon": "QtGui",
    "QImage": "QtGui",
    "QInputMethodEvent": "QtGui",
    "QIntValidator": "QtGui",
    "QKeyEvent": "QtGui",
    "QKeySequence": "QtGui",
    "QPageLayout": "QtGui",
    "QPageSize": "QtGui",
    "QPainter": "QtGui",
    "QPalette": "QtGui",
    "QPixmap": "QtGui",
    "QRegularExpressionValidator": "QtGui",
    "QShortcut": "QtGui",
    "QShowEvent": "QtGui",
    "QStandardItem": "QtGui",
    "QStandardItemModel": "QtGui",
    "QValidator": "QtGui",
    "QAbstractItemView": "QtWidgets",
    "QAbstractSpinBox": "QtWidgets",
    "QApplication": "QtWidgets",
    "QButtonGroup": "QtWidgets",
    "QCalendarWidget": "QtWidgets",
    "QCheckBox": "QtWidgets",
    "QComboBox": "QtWidgets",
    "QCompleter": "QtWidgets",
    "QDateEdit": "QtWidgets",
    "QDateTimeEdit": "QtWidgets",
    "QDialog": "QtWidgets",
    "QDialogButtonBox": "QtWidgets",
    "QDoubleSpinBox": "QtWidgets",
    "QFileDialog": "QtWidgets",
    "QFormLayout": "QtWidgets",
    "QFrame": "QtWidgets",
    "QGridLayout": "QtWidgets",
    "QGroupBox": "QtWidgets",
    "QHBoxLayout": "QtWidgets",
    "QHeaderView": "QtWidgets",
    "QInputDialog": "QtWidgets",
    "QLabel": "QtWidgets",
    "QLineEdit": "QtWidgets",
    "QListView": "QtWidgets",
    "QListWidget": "QtWidgets",
    "QListWidgetItem": "QtWidgets",
    "QMainWindow": "QtWidgets",
    "QMenu": "QtWidgets",
    "QMessageBox": "QtWidgets",
    "QPlainTextEdit": "QtWidgets",
    "QProgressBar": "QtWidgets",
    "QProgressDialog": "QtWidgets",
    "QPushButton": "QtWidgets",
    "QRadioButton": "QtWidgets",
    "QScrollArea": "QtWidgets",
    "QSizePolicy": "QtWidgets",
    "QSpacerItem": "QtWidgets",
    "QSpinBox": "QtWidgets",
    "QSplitter": "QtWidgets",
    "QStackedWidget": "QtWidgets",
    "QStatusBar": "QtWidgets",
    "QStyle": "QtWidgets",
    "QTableView": "QtWidgets",
    "QTableWidget": "QtWidgets",
    "QTableWidgetItem": "QtWidgets",
    "QTabWidget": "QtWidgets",
    "QTextBrowser": "QtWidgets",
    "QTextEdit": "QtWidgets",
    "QTimeEdit": "QtWidgets",
    "QToolBar": "QtWidgets",
    "QToolButton": "QtWidgets",
    "QTreeWidget": "QtWidgets",
    "QTreeWidgetItem": "QtWidgets",
    "QVBoxLayout": "QtWidgets",
    "QWidget": "QtWidgets",
    "QWizard": "QtWidgets",
    "QWizardPage": "QtWidgets",
    "QPdfDocument": "QtPdf",
    "QPdfView": "QtPdfWidgets",
    "QPrintDialog": "QtPrintSupport",
    "QPrinter": "QtPrintSupport",
    "QTest": "QtTest",
}


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module 'ui.qt' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"PySide6.{module}"), name)
    globals()[name] = value
    return value


#: A model index as Qt passes it to model methods.
AnyIndex = QModelIndex | QPersistentModelIndex


def is_alive(obj: object) -> bool:
    """Whether a Qt object's C++ side still exists (a worker's answer can arrive after the
    screen that asked for it was closed and deleted)."""
    import shiboken6

    return bool(shiboken6.isValid(obj))


# -- A health check of the binding ---------------------------------------------------------
#
# PySide6/shiboken6 6.12.0 on Python 3.11 loses a reference to None on every call of a C++
# method returning void (setText, show, processEvents…), and one to True on every
# SignalInstance.emit()/disconnect().  From Python 3.12 on these objects are immortal and
# nothing happens; on 3.11 the interpreter aborts after a few thousand calls ("Fatal Python
# error: none_dealloc: deallocating None") — a clerk's window would vanish within minutes.
# pyproject.toml therefore requires an earlier release, and this module refuses a binding
# with the bug instead of crashing later at random (tests/ui/test_qt_shim.py checks the
# installed one).


class BrokenQtBindingError(RuntimeError):
    """The installed PySide6 would crash the program (see :func:`binding_problems`)."""


def _give_back(value: object, count: int) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


def _loses_references(singleton: object, call: Callable[[], object], rounds: int = 64) -> bool:
    """Whether calling ``call`` takes references from ``singleton`` (None/True) without
    giving them back.  What the probe itself took is returned."""
    before = sys.getrefcount(singleton)
    for _ in range(rounds):
        call()
    lost = before - sys.getrefcount(singleton)
    _give_back(singleton, max(lost, 0))
    return lost >= rounds * 3 // 4


def binding_problems() -> list[str]:
    """Reference-count bugs of the installed PySide6 that would crash this interpreter."""
    if sys.version_info >= (3, 12):
        return []

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()

    def slot() -> None:
        pass

    def connect_and_disconnect() -> None:
        probe.ping.connect(slot)
        probe.ping.disconnect(slot)

    checks: list[tuple[str, object, Callable[[], object]]] = [
        (
            "C++ methods returning void lose a reference to None",
            None,
            lambda: probe.setObjectName("p"),
        ),
        ("SignalInstance.emit() loses a reference to True", True, probe.ping.emit),
        ("SignalInstance.disconnect() loses a reference to True", True, connect_and_disconnect),
    ]
    return [text for text, singleton, call in checks if _loses_references(singleton, call)]


def check_binding() -> None:
    problems = binding_problems()
    if problems:
        raise BrokenQtBindingError(
            f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} corrupts reference "
            f"counts ({'; '.join(problems)}) and would crash the program. "
            '请安装可用的版本：pip install "PySide6-Essentials>=6.7,<6.12"'
        )


#: Releases checked by tests/ui/test_qt_shim.py (and by hand) to keep reference counts. The
#: probe costs ~30 ms of every start, so it runs only for a release not known to be good.
KNOWN_GOOD_RELEASES: tuple[str, ...] = ("6.7", "6.8", "6.9", "6.10", "6.11")


def _known_good(version: str) -> bool:
    return any(version == r or version.startswith(f"{r}.") for r in KNOWN_GOOD_RELEASES)


if not _known_good(PySide6.__version__):
    check_binding()


__all__ = [
    "AnyIndex",
    "BrokenQtBindingError",
    "QBarCategoryAxis",
    "QBarSeries",
    "QBarSet",
    "QChart",
    "QChartView",
    "QLineSeries",
    "QPieSeries",
    "QValueAxis",
    "QAbstractItemModel",
    "QAbstractItemView",
    "QAbstractListModel",
    "QAbstractSpinBox",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QBrush",
    "QBuffer",
    "QButtonGroup",
    "QByteArray",
    "QCalendarWidget",
    "QCheckBox",
    "QCloseEvent",
    "QColor",
    "QComboBox",
    "QCompleter",
    "QCoreApplication",
    "QLibraryInfo",
    "QLocale",
    "QTranslator",
    "QDate",
    "QDateEdit",
    "QDateTime",
    "QDateTimeEdit",
    "QDesktopServices",
    "QDialog",
    "QDialogButtonBox",
    "QDoubleSpinBox",
    "QDoubleValidator",
    "QElapsedTimer",
    "QEvent",
    "QFileDialog",
    "QFont",
    "QFontDatabase",
    "QFontInfo",
    "QFontMetrics",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGroupBox",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QIODevice",
    "QIcon",
    "QImage",
    "QInputDialog",
    "QInputMethodEvent",
    "QIntValidator",
    "QItemSelectionModel",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLineEdit",
    "QListView",
    "QListWidget",
    "QListWidgetItem",
    "QMainWindow",
    "QMenu",
    "QMessageBox",
    "QMessageLogContext",
    "QModelIndex",
    "QObject",
    "QPageLayout",
    "QPageSize",
    "QPainter",
    "QPalette",
    "QPdfDocument",
    "QPdfView",
    "QPersistentModelIndex",
    "QPixmap",
    "QPlainTextEdit",
    "QPoint",
    "QPointF",
    "QPrintDialog",
    "QPrinter",
    "QProgressBar",
    "QProgressDialog",
    "QPushButton",
    "QRadioButton",
    "QRect",
    "QRectF",
    "QRegularExpressionValidator",
    "QScrollArea",
    "QSettings",
    "QShortcut",
    "QShowEvent",
    "QSize",
    "QSizePolicy",
    "QSortFilterProxyModel",
    "QSpacerItem",
    "QSpinBox",
    "QSplitter",
    "QStackedWidget",
    "QStandardItem",
    "QStandardItemModel",
    "QStatusBar",
    "QStringListModel",
    "QStyle",
    "QTabWidget",
    "QTableView",
    "QTableWidget",
    "QTableWidgetItem",
    "QTest",
    "QTextBrowser",
    "QTextEdit",
    "QThread",
    "QTime",
    "QTimeEdit",
    "QTimer",
    "QToolBar",
    "QToolButton",
    "QTreeWidget",
    "QTreeWidgetItem",
    "QUrl",
    "QVBoxLayout",
    "QValidator",
    "QWidget",
    "QWizard",
    "QWizardPage",
    "Qt",
    "QtMsgType",
    "Signal",
    "is_alive",
    "SignalInstance",
    "Slot",
    "binding_problems",
    "check_binding",
    "qInfo",
    "qInstallMessageHandler",
]
