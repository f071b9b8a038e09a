"""Bundle updates in the field: from a folder and from a real web server on loopback; offline keeps working."""

import http.server
import json
import shutil
import threading
from functools import partial

import pytest

from app.config import Policy, app_paths
from app.guidance import update_guidance
from conftest import CONTENT_DIR
from knowledge.build import build_bundle
from knowledge.install import active_bundle_path, install_bundle
from knowledge.search import Searcher
from knowledge.signing import generate_keypair, load_trusted_keys, sign_bundle


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """A signing key and versions 1 and 2 of a bundle, signed."""
    folder = tmp_path_factory.mktemp("release")
    pub = generate_keypair(folder / "team.key")
    for version in (1, 2):
        out = folder / f"guide-{version}.fdkb"
        build_bundle([CONTENT_DIR], out, bundle_id="guide", title="Jobcentre guidance", version=version, created="2026-01-01T00:00:00Z")
        sign_bundle(out, folder / "team.key")
    return folder, pub


def publish(release_folder, target, versions):
    target.mkdir(exist_ok=True)
    for v in versions:
        for suffix in (".fdkb", ".fdkb.sig"):
            shutil.copy(release_folder / f"guide-{v}{suffix}", target / f"guide-{v}{suffix}")


@pytest.fixture
def installed_v1(release):
    folder, pub = release
    install_bundle(folder / "guide-1.fdkb", data=app_paths().data, trusted_keys=load_trusted_keys([pub]))
    return Policy(trusted_keys=(str(pub),))


def test_folder_update_installs_the_newer_version(release, installed_v1, tmp_path):
    publish(release[0], tmp_path / "share", [1, 2])
    result = update_guidance(Policy(trusted_keys=installed_v1.trusted_keys, update_source=str(tmp_path / "share")))
    assert result.status == "updated" and result.bundle.version == 2
    assert Searcher(active_bundle_path(app_paths().data)).info.version == 2
    again = update_guidance(Policy(trusted_keys=installed_v1.trusted_keys, update_source=str(tmp_path / "share")))
    assert again.status == "up-to-date"


def test_tampered_update_is_refused_and_the_old_bundle_stays(release, installed_v1, tmp_path):
    publish(release[0], tmp_path / "share", [2])
    data = bytearray((tmp_path / "share" / "guide-2.fdkb").read_bytes())
    data[len(data) // 3] ^= 0x10
    (tmp_path / "share" / "guide-2.fdkb").write_bytes(bytes(data))
    result = update_guidance(Policy(trusted_keys=installed_v1.trusted_keys, update_source=str(tmp_path / "share")))
    assert result.status == "refused" and "changed since it was signed" in result.message
    assert Searcher(active_bundle_path(app_paths().data)).info.version == 1


def test_unreachable_folder_is_offline_not_an_error(installed_v1, tmp_path):
    result = update_guidance(Policy(trusted_keys=installed_v1.trusted_keys, update_source=str(tmp_path / "not-mounted")))
    assert result.status == "offline"
    assert Searcher(active_bundle_path(app_paths().data)).info.version == 1


@pytest.fixture
def web_server(tmp_path):
    """A real HTTP server on loopback serving tmp_path/web."""
    root = tmp_path / "web"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_web_index_update(release, installed_v1, web_server):
    root, base = web_server
    publish(release[0], root / "bundles", [2])
    (root / "index.json").write_text(json.dumps({"bundles": [
        {"id": "guide", "version": 2, "url": "bundles/guide-2.fdkb", "sig_url": "bundles/guide-2.fdkb.sig"}]}))
    result = update_guidance(Policy(trusted_keys=installed_v1.trusted_keys, update_source=f"{base}/index.json"))
    assert result.status == "updated" and result.bundle.version == 2


def test_web_server_down_is_offline(installed_v1):
    result = update_guidance(Policy(trusted_keys=installed_v1.trusted_keys, update_source="http://127.0.0.1:9/index.json"))
    assert result.status == "offline"


def test_no_source_does_nothing():
    assert update_guidance(Policy()).status == "no-source"


def test_window_checks_at_start_and_switches_to_the_new_guidance(qtbot, release, installed_v1, tmp_path):
    from app.history import HistoryStore
    from desktop.main_window import MainWindow
    from app.services import AppServices
    from app.user_settings import UserSettings
    from app.model_choice import choose_model

    publish(release[0], tmp_path / "share", [2])
    policy = Policy(trusted_keys=installed_v1.trusted_keys, update_source=str(tmp_path / "share"))
    services = AppServices(policy, UserSettings(welcomed=True), Searcher(active_bundle_path(app_paths().data)), choose_model(None, policy),
                           HistoryStore(tmp_path / "h.db"))
    window = MainWindow(services, load_model=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.update_checked, timeout=30000) as checked:
        pass
    assert checked.args[0].status == "updated"
    assert services.searcher.info.version == 2 and "v2" in window.bundle_status.text()
    assert "updated" in window.notice_label.text()
    window.shutdown()
    services.close()
