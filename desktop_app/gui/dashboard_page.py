"""The Panel: what a bookkeeper looks at first.

Today's and this month's sales by IVA rate (gravada, IVA, total: what the IVA return
asks for) and by state, and the month day by day as a small bar chart (approved in
green, still on its way in blue). Sales are documents approved or on their way;
rejected, cancelled and voided documents are listed by state but not added.

The month's sums can touch thousands of documents, so they are read off the GUI
thread (`TaskRunner`) and the page is refreshed a moment after documents change, only
while it is visible.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QLocale, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.money import format_amount
from desktop_app.domain.states import DocState
from desktop_app.gui import labels
from desktop_app.gui.settings import current_language
from desktop_app.gui.tasks import TaskRunner
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import Dashboard, DayTotals, PeriodTotals, dashboard
from desktop_app.store.profiles import default_profile, list_profiles

APPROVED_COLOUR = "#2e8b57"
PENDING_COLOUR = "#6c9be0"
CURRENCY_SIGNS = {"PYG": "Gs.", "BOB": "Bs.", "ARS": "$", "USD": "US$"}


def ui_locale() -> QLocale:
    if current_language() == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return QLocale(QLocale.Language.Spanish, QLocale.Country.Paraguay)


def money(amount: Decimal, currency: str) -> str:
    return f"{CURRENCY_SIGNS.get(currency, currency)} {format_amount(amount, currency)}"


def nice_ceiling(value: Decimal) -> Decimal:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * step
    return magnitude * 10


def short_amount(amount: Decimal) -> str:
    """ "1,2 M", "350 mil": the chart's axis, in the shop's words."""
    value = float(amount)
    if value >= 1_000_000:
        text = f"{value / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")
        return f"{text} M"
    if value >= 1_000:
        return QCoreApplication.translate("DashboardPage", "{n} mil").format(n=round(value / 1000))
    return f"{value:.0f}"


class PeriodCard(QFrame):
    """One period: its total, how many documents, and the IVA breakdown."""

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"QFrame#{name} {{ background: #ffffff; border: 1px solid #d8dce2; border-radius: 6px; }}"
        )
        v = QVBoxLayout(self)
        self.title = QLabel(title)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setStyleSheet("color: #5f6368;")
        v.addWidget(self.title)
        self.total_label = QLabel("—")
        self.total_label.setObjectName(f"{name}_total")
        big = self.total_label.font()
        big.setPointSizeF(big.pointSizeF() * 2.0)
        big.setBold(True)
        self.total_label.setFont(big)
        v.addWidget(self.total_label)
        self.count_label = QLabel()
        self.count_label.setObjectName(f"{name}_count")
        self.count_label.setStyleSheet("color: #5f6368;")
        v.addWidget(self.count_label)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(16)
        v.addLayout(self.grid)
        v.addStretch(1)
        self.cells: dict[str, QLabel] = {}

    def show_period(self, period: PeriodTotals, currency: str) -> None:
        self.total_label.setText(money(period.total, currency))
        self.count_label.setText(
            self.tr("{n} documentos (aprobados y en camino)").format(n=period.count)
            if period.count != 1
            else self.tr("1 documento (aprobado o en camino)")
        )
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cells.clear()
        header = (self.tr("Tasa"), self.tr("Gravada"), self.tr("IVA"), self.tr("Total"))
        for c, text in enumerate(header):
            label = QLabel(text)
            label.setStyleSheet("color: #5f6368;")
            if c:
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.grid.addWidget(label, 0, c)
        rows = []
        for line in period.rates:
            name = (
                self.tr("Exentas")
                if line.rate == 0
                else self.tr("IVA {rate} %").format(rate=line.rate)
            )
            rows.append((f"rate_{line.rate}", name, line.gravada, line.iva, line.total))
        rows.append(
            (
                "rate_total",
                self.tr("Total"),
                sum((r.gravada for r in period.rates), Decimal(0)),
                period.iva_total,
                sum((r.total for r in period.rates), Decimal(0)),
            )
        )
        for r, (key, name, gravada, iva, total) in enumerate(rows, start=1):
            values = (
                name,
                format_amount(gravada, currency),
                format_amount(iva, currency),
                format_amount(total, currency),
            )
            for c, text in enumerate(values):
                label = QLabel(text)
                if c:
                    label.setAlignment(Qt.AlignmentFlag.AlignRight)
                if key == "rate_total":
                    f = label.font()
                    f.setBold(True)
                    label.setFont(f)
                self.grid.addWidget(label, r, c)
                self.cells[f"{key}_{c}"] = label


class DailyChart(QWidget):
    """The month's sales per day: a stacked bar per day, approved under pending."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("daily_chart")
        self.days: list[DayTotals] = []
        self.currency = "PYG"
        self.today: date | None = None
        self.setMouseTracking(True)
        self.setMinimumHeight(self.fontMetrics().height() * 11)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Ventas por día del mes"))

    def set_days(self, days: list[DayTotals], currency: str, today: date) -> None:
        self.days, self.currency, self.today = days, currency, today
        total = sum((d.approved + d.pending for d in days), Decimal(0))
        self.setAccessibleDescription(
            self.tr("Total del mes: {total}").format(total=money(total, currency))
        )
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(
            self.fontMetrics().horizontalAdvance("M") * 60, self.fontMetrics().height() * 14
        )

    def _geometry(self) -> tuple[QRectF, float, Decimal]:
        fm = self.fontMetrics()
        left = fm.horizontalAdvance("000,0 M") + 12
        plot = QRectF(
            left, fm.height() * 2.0, self.width() - left - 12, self.height() - fm.height() * 3.4
        )
        peak = max((d.approved + d.pending for d in self.days), default=Decimal(0))
        step = plot.width() / max(1, len(self.days))
        return plot, step, nice_ceiling(peak) if peak > 0 else peak

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        plot, step, peak = self._geometry()
        p.setPen(QColor("#3c4043"))
        title_font = QFont(self.font())
        title_font.setBold(True)
        p.setFont(title_font)
        if self.days:
            month = ui_locale().toString(self.days[0].day, "MMMM yyyy")
            title = self.tr("Ventas por día — {month}").format(month=month)
        else:
            title = self.tr("Ventas por día")
        p.drawText(QPointF(4, fm.ascent() + 2), title)
        p.setFont(self.font())
        if not self.days or peak <= 0:
            p.setPen(QColor("#5f6368"))
            p.drawText(
                plot, Qt.AlignmentFlag.AlignCenter, self.tr("Todavía no hay ventas este mes.")
            )
            p.end()
            return
        grid_pen = QPen(QColor("#e3e6ea"))
        for fraction in (0.0, 0.5, 1.0):
            y = plot.bottom() - plot.height() * fraction
            p.setPen(grid_pen)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#5f6368"))
            p.drawText(
                QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                short_amount(peak * Decimal(str(fraction))),
            )
        bar = max(2.0, step * 0.7)
        for n, day in enumerate(self.days):
            x = plot.left() + n * step + (step - bar) / 2
            approved_h = float(day.approved / peak) * plot.height()
            pending_h = float(day.pending / peak) * plot.height()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(APPROVED_COLOUR))
            p.drawRect(QRectF(x, plot.bottom() - approved_h, bar, approved_h))
            p.setBrush(QColor(PENDING_COLOUR))
            p.drawRect(QRectF(x, plot.bottom() - approved_h - pending_h, bar, pending_h))
            if day.day.day == 1 or day.day.day % 5 == 0 or day.day == self.today:
                p.setPen(QColor("#1c4f9c") if day.day == self.today else QColor("#5f6368"))
                p.drawText(
                    QRectF(x - step, plot.bottom() + 2, bar + 2 * step, fm.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    str(day.day.day),
                )
        x = self.width() - 8
        legend_y = fm.ascent() + 2
        for colour, text in (
            (PENDING_COLOUR, self.tr("En camino")),
            (APPROVED_COLOUR, self.tr("Aprobados")),
        ):
            x -= fm.horizontalAdvance(text)
            p.setPen(QColor("#3c4043"))
            p.drawText(QPointF(x, legend_y), text)
            x -= fm.ascent() + 2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(colour))
            p.drawRect(QRectF(x, legend_y - fm.ascent() + 2, fm.ascent() - 2, fm.ascent() - 2))
            x -= 18
        p.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        plot, step, _peak = self._geometry()
        n = int((event.position().x() - plot.left()) // step) if step else -1
        if 0 <= n < len(self.days):
            day = self.days[n]
            QToolTip.showText(
                event.globalPosition().toPoint(),
                self.tr("{day}: aprobados {approved}, en camino {pending}").format(
                    day=day.day.strftime("%d/%m/%Y"),
                    approved=money(day.approved, self.currency),
                    pending=money(day.pending, self.currency),
                ),
                self,
            )


class DashboardPage(QWidget):
    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        today=date.today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard_page")
        self._db = db
        self._today = today
        self.tasks = tasks or TaskRunner(self)
        self.data: Dashboard | None = None
        self._dirty = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1500)
        self._timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        body.setObjectName("dashboard_body")
        body.setStyleSheet("QWidget#dashboard_body { background: #f6f7f9; }")
        scroll.setWidget(body)
        v = QVBoxLayout(body)
        v.setContentsMargins(12, 10, 12, 10)

        top = QHBoxLayout()
        self.date_label = QLabel()
        self.date_label.setObjectName("dashboard_date")
        font = self.date_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.date_label.setFont(font)
        top.addWidget(self.date_label)
        top.addStretch(1)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("dashboard_profile")
        profile_label = QLabel(self.tr("Pe&rfil:"))
        profile_label.setBuddy(self.profile_combo)
        top.addWidget(profile_label)
        top.addWidget(self.profile_combo)
        self.reload_profiles()
        self.profile_combo.currentIndexChanged.connect(self.refresh)
        self.refresh_button = QPushButton(self.tr("Actualizar"))
        self.refresh_button.setToolTip(self.tr("Volver a calcular (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        v.addLayout(top)

        self.note_label = QLabel()
        self.note_label.setObjectName("dashboard_note")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #8a5a00;")
        self.note_label.hide()
        v.addWidget(self.note_label)

        cards = QHBoxLayout()
        self.today_card = PeriodCard(self.tr("Hoy"), "today_card")
        self.month_card = PeriodCard(self.tr("Este mes"), "month_card")
        cards.addWidget(self.today_card, 1)
        cards.addWidget(self.month_card, 1)
        v.addLayout(cards)

        lower = QHBoxLayout()
        self.chart = DailyChart()
        chart_frame = QFrame()
        chart_frame.setObjectName("chart_frame")
        chart_frame.setStyleSheet(
            "QFrame#chart_frame { background: #ffffff; border: 1px solid #d8dce2; border-radius: 6px; }"
        )
        cf = QVBoxLayout(chart_frame)
        cf.addWidget(self.chart)
        lower.addWidget(chart_frame, 3)

        self.states_table = QTableWidget(0, 5)
        self.states_table.setObjectName("states_table")
        self.states_table.setHorizontalHeaderLabels(
            [
                self.tr("Estado"),
                self.tr("Hoy"),
                self.tr("Total hoy"),
                self.tr("Mes"),
                self.tr("Total del mes"),
            ]
        )
        self.states_table.verticalHeader().hide()
        self.states_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.states_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.states_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.states_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 5):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.states_table.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        lower.addWidget(self.states_table, 2)
        v.addLayout(lower, 1)

    # -- loading -------------------------------------------------------------------
    def reload_profiles(self) -> None:
        current = self.profile_combo.currentData()
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for p in list_profiles(self._db):
            self.profile_combo.addItem(p.name, p.id)
        if current is None:
            chosen = default_profile(self._db)
            current = chosen.id if chosen else None
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(current)))
        self.profile_combo.blockSignals(False)

    def activate(self) -> None:
        if self._dirty or self.data is None:
            self.refresh()

    def documents_changed(self) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def refresh(self) -> None:
        self._timer.stop()
        self._dirty = False
        profile_id = self.profile_combo.currentData()
        today = self._today()
        db = self._db
        self.tasks.run(lambda: dashboard(db, profile_id=profile_id, today=today), self._loaded)

    def _loaded(self, data: Dashboard | None, error: Exception | None) -> None:
        if error is not None or data is None:
            self.note_label.setText(
                self.tr("No se pudo calcular el panel; pulse F5 para reintentar.")
            )
            self.note_label.show()
            return
        self.data = data
        today = data.today.start
        locale = ui_locale()
        self.date_label.setText(locale.toString(today, QLocale.FormatType.LongFormat).capitalize())
        self.today_card.show_period(data.today, data.currency)
        self.month_card.title.setText(
            self.tr("Este mes ({month})").format(month=locale.toString(today, "MMMM yyyy"))
        )
        self.month_card.show_period(data.month, data.currency)
        self.chart.set_days(data.days, data.currency, today)
        if data.other_currency:
            self.note_label.setText(
                self.tr(
                    "{n} documento(s) de este mes en otra moneda no se suman a estos totales "
                    "({currency})."
                ).format(n=data.other_currency, currency=data.currency)
            )
            self.note_label.show()
        else:
            self.note_label.hide()
        states = {line.state for line in data.month.states} | {
            line.state for line in data.today.states
        }
        order = [s for s in DocState if s.value in states]
        self.states_table.setRowCount(len(order))
        for r, state in enumerate(order):
            today_line = next((x for x in data.today.states if x.state == state.value), None)
            month_line = next((x for x in data.month.states if x.state == state.value), None)
            name = QTableWidgetItem(labels.state_icon(state), labels.state_label(state))
            name.setForeground(labels.state_foreground(state))
            self.states_table.setItem(r, 0, name)
            for c, value in enumerate(
                (
                    str(today_line.count) if today_line else "0",
                    format_amount(today_line.total, data.currency) if today_line else "0",
                    str(month_line.count) if month_line else "0",
                    format_amount(month_line.total, data.currency) if month_line else "0",
                ),
                start=1,
            ):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.states_table.setItem(r, c, item)
