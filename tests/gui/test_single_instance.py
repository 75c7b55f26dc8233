"""A second window on the same data folder says it does not send, and does not."""

from __future__ import annotations

from desktop_app.gui.main_window import MainWindow
from desktop_app.runtime import open_runtime


def test_a_second_window_says_another_instance_sends_and_starts_no_workers(qtbot, tmp_path) -> None:
    first = open_runtime(tmp_path, force_demo=True, start_sandbox=False)
    second = open_runtime(tmp_path, force_demo=True, start_sandbox=False)
    try:
        assert first.acquire_sender()
        assert not second.acquire_sender()
        window = MainWindow(second, start_workers=False, network_hint=False)
        qtbot.addWidget(window)
        window.show_not_sender(second.sender_owner())
        assert "No envía" in window.connectivity_label.text()
        assert "PID" in window.connectivity_label.toolTip()
        assert not window.retry_action.isEnabled()
        assert not window.workers.running
        window.shutdown()
    finally:
        second.close()
        first.close()
