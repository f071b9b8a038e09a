"""The window on a small screen, and changes taking effect while it runs (real window, offscreen)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT_DIR
from app.history import HistoryStore
from desktop.main_window import MainWindow
from app.services import AppServices
from desktop.settings_dialog import NEXT_QUESTION
from app.user_settings import UserSettings, load_settings, save_settings
from desktop.window_placement import FRAME_SIDE, FRAME_TOP, Rect, fitted_rect
from knowledge.build import build_bundle
from app.config import Policy
from knowledge.search import Searcher
from knowledge.signing import generate_keypair, sign_bundle
from app.model_choice import choose_model

ROOT = Path(__file__).resolve().parent.parent
LAPTOP = Rect(0, 0, 1366, 728)  # 1366x768 less a 40-pixel taskbar


# -- placement ----------------------------------------------------------------------------------
def test_the_default_size_is_capped_to_the_free_screen():
    r = fitted_rect(LAPTOP)
    assert (r.width, r.height) == (1200, 728 - FRAME_TOP - FRAME_SIDE)
    assert r.y >= FRAME_TOP and r.y + r.height <= 728 - FRAME_SIDE
    assert fitted_rect(Rect(0, 0, 1920, 1040)) == Rect(360, 40 + (1040 - 48 - 780) // 2, 1200, 780)


def test_last_sessions_place_is_kept_and_pulled_back_onto_a_smaller_screen():
    assert fitted_rect(LAPTOP, Rect(100, 80, 900, 500)) == Rect(100, 80, 900, 500)
    moved = fitted_rect(LAPTOP, Rect(1500, 900, 1800, 1000))  # saved on a big monitor, now on the laptop alone
    assert moved.x >= 0 and moved.x + moved.width <= 1366 and moved.y + moved.height <= 728
    assert (moved.width, moved.height) == (1366 - 2 * FRAME_SIDE, 728 - FRAME_TOP - FRAME_SIDE)


SHOW_WINDOW = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.services import open_services
from desktop.main_window import MainWindow
services = open_services()
w = MainWindow(services, load_model=False)
w.show()
app.processEvents()
if len(sys.argv) > 1:
    w.setGeometry(*map(int, sys.argv[1:]))
    app.processEvents()
screen = app.primaryScreen().availableGeometry()
bar = w.statusBar()
top_left = bar.mapToGlobal(bar.rect().topLeft())
print(json.dumps({"screen": [screen.width(), screen.height()], "window": w.geometry().getRect(),
                  "minimum": [w.minimumSizeHint().width(), w.minimumSizeHint().height()],
                  "status": [top_left.y(), top_left.y() + bar.height(), bar.isVisible()]}))
w.shutdown()
services.close()
"""


def show_on_laptop_screen(tmp_path, *geometry):
    """Run the real window in its own process on a 1366x768 offscreen screen; what it reports."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", SHOW_WINDOW, *map(str, geometry)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_window_fits_a_1366x768_screen_and_comes_back_where_it_was_left(tmp_path):
    first = show_on_laptop_screen(tmp_path)
    assert first["screen"] == [1366, 768]
    x, y, width, height = first["window"]
    assert width <= 1366 and y + height <= 768, "the window runs off the screen"
    top, bottom, visible = first["status"]
    assert visible and bottom <= y + height and bottom <= 768, "the status bar is cut off"
    # With a 40-pixel taskbar and a title bar, the window can still be made small enough.
    assert first["minimum"][1] + FRAME_TOP <= 768 - 40 and first["minimum"][0] <= 1366
    assert load_settings().window == (x, y, width, height, 0), "the place is kept in the personal settings"

    second = show_on_laptop_screen(tmp_path, 120, 90, 1000, 600)  # the person moves and resizes it
    assert second["window"] == [120, 90, 1000, 600]
    third = show_on_laptop_screen(tmp_path)  # the next session
    assert third["window"] == [120, 90, 1000, 600]

    save_settings(UserSettings(window=(2000, 1200, 2400, 1300, 0)))  # last used on a big monitor
    fourth = show_on_laptop_screen(tmp_path)
    x, y, width, height = fourth["window"]
    assert 0 <= x and x + width <= 1366 and 0 <= y and y + height <= 768


# -- changes taking effect ------------------------------------------------------------------------
@pytest.fixture
def services(sample_bundle, tmp_path):
    made = AppServices(Policy(), UserSettings(welcomed=True), Searcher(sample_bundle), choose_model(None, Policy()),
                       HistoryStore(tmp_path / "history.db"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def signed_v2(tmp_path_factory):
    """A signed guidance bundle, version 2, and the public key that checks it."""
    folder = tmp_path_factory.mktemp("release")
    pub = generate_keypair(folder / "team.key")
    out = folder / "guide-2.fdkb"
    build_bundle([CONTENT_DIR], out, bundle_id="guide", title="Jobcentre guidance", version=2, created="2026-01-02T00:00:00Z")
    sign_bundle(out, folder / "team.key")
    return out, pub


def save_in_settings_dialog(qtbot, window, edit):
    """Settings as the menu opens it (MainWindow.settings_dialog), something changed, Save clicked."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = window.settings_dialog()
    edit(dialog)
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Save)
    qtbot.mouseClick(save, Qt.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_changing_threads_in_settings_reloads_the_model_without_a_restart(qtbot, services):
    window = MainWindow(services)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        pass
    before = window.model.worker.runtime
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        with qtbot.waitSignal(window.change_applied) as changed:
            save_in_settings_dialog(qtbot, window, lambda d: d.threads.setValue(1))
    assert changed.args[0] == ("✓ Processor threads set to 1. The model is reloading; until it is ready, "
                               "drafts use the guidance's own sentences.")
    assert window.model.worker.runtime is not None and window.model.worker.runtime is not before and not before.loaded
    assert window.notice_label.text() == changed.args[0] and "ready" in window.model_status.text()
    assert load_settings().threads == 1
    window.shutdown()


def test_changing_the_model_file_in_settings_loads_it_and_says_so(qtbot, services, tmp_path):
    window = MainWindow(services)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        pass
    with qtbot.waitSignal(window.model_failed, timeout=60000) as failed:
        save_in_settings_dialog(qtbot, window, lambda d: d.model_path.setText(str(tmp_path / "other.gguf")))
    assert window.notice_label.text().startswith("✓ Model file set to other.gguf. The model is reloading")
    assert "no such model file" in failed.args[0] and window.model.worker.runtime is None
    assert "not available" in window.model_status.text()
    window.shutdown()


def test_guidance_installed_from_settings_is_used_from_the_next_question(qtbot, services, signed_v2):
    bundle, pub = signed_v2
    services.policy = Policy(trusted_keys=(str(pub),))
    window = MainWindow(services, load_model=False)
    qtbot.addWidget(window)
    dialog = window.settings_dialog()
    with qtbot.waitSignal(window.change_applied, timeout=30000) as changed:
        dialog.install_bundle(bundle)
    assert changed.args[0].startswith("✓ Installed Jobcentre guidance version 2.") and changed.args[0].endswith(NEXT_QUESTION)
    assert dialog.result_label.text().endswith(NEXT_QUESTION) and "Restart" not in dialog.result_label.text()
    assert window.services.searcher.info.version == 2 and "Jobcentre guidance v2" in window.bundle_status.text()
    dialog.done(0)
    window.shutdown()


def test_guidance_updated_in_the_field_takes_effect_the_same_way(qtbot, services, signed_v2, tmp_path):
    import shutil

    bundle, pub = signed_v2
    share = tmp_path / "share"
    share.mkdir()
    for suffix in (".fdkb", ".fdkb.sig"):
        shutil.copy(bundle.with_name(bundle.stem + suffix), share / (bundle.stem + suffix))
    services.policy = Policy(trusted_keys=(str(pub),), update_source=str(share))
    window = MainWindow(services, load_model=False)  # the policy's update source: checked at once
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.change_applied, timeout=30000) as changed:
        pass
    assert changed.args[0] == f"✓ The guidance was updated to Jobcentre guidance version 2. {NEXT_QUESTION}"
    assert window.notice_label.text() == changed.args[0]
    assert window.services.searcher.info.version == 2 and "Jobcentre guidance v2" in window.bundle_status.text()
    window.shutdown()


# -- the Qt-free side of a change (app/changes.py, app/model_state.py) -----------------------------
def test_a_change_says_what_changed_and_when_it_takes_effect():
    from app.changes import RELOADING, change_notice, settings_change

    assert change_notice("Installed Jobcentre guidance version 2.", new_guidance=True) == \
        f"✓ Installed Jobcentre guidance version 2. {NEXT_QUESTION}"
    assert change_notice("Processor threads set to 1", reload_model=True) == f"✓ Processor threads set to 1. {RELOADING}"
    old = UserSettings()
    assert settings_change(old, UserSettings(theme="dark", font_scale=150)) == ""  # nothing the model must take up
    assert settings_change(old, UserSettings(model_path="/models/other.gguf", threads=0)) == "Model file set to other.gguf"
    assert settings_change(UserSettings(threads=2), UserSettings(threads=0)) == "Processor threads set to automatic"


def test_a_reload_waits_for_the_draft_and_the_load_and_chooses_the_new_file(services, tmp_path):
    from dataclasses import replace

    from app.model_state import ModelState

    state = ModelState(services)
    first = state.start_load()
    assert first is services.model_choice and state.loading and "loading" in state.status()
    assert state.unavailable() == "The model is still loading."
    state.reload_wanted = True
    assert state.reload_due(drafting=False) is None, "never over a load"
    state.loaded(services.model_choice.info)
    assert "ready" in state.status() and state.available
    assert state.reload_due(drafting=True) is None and state.reload_wanted, "never under a draft"
    same = state.reload_due(drafting=False)
    assert same is first and state.loading and not state.reload_wanted and state.info is None  # threads only: the same choice

    services.settings = replace(services.settings, model_path=str(tmp_path / "other.gguf"))
    state.failed("stopped")
    state.reload_wanted = True
    other = state.reload_due(drafting=False)
    assert other is services.model_choice and other.path is None and "other.gguf" in other.problem
    assert state.problem == other.problem and state.path_in_use == services.settings.model_path
