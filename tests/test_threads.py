"""The thread count: decided in one place (policy, else the person's setting, else automatic), and what
llama.cpp really computes with on the real loaded model."""

from __future__ import annotations

import json

import pytest

from app.services import open_services
from app.user_settings import UserSettings, save_settings
from app.model_choice import load_runtime
from models.threads import ThreadChoice, automatic_threads, choose_threads, physical_cores


def test_the_policy_wins_then_the_setting_then_automatic():
    assert choose_threads(3, 1) == ThreadChoice(3, "policy")
    assert choose_threads(None, 1) == ThreadChoice(1, "setting")
    assert choose_threads(None, 0) == ThreadChoice(None, "automatic")


def test_automatic_threads_leave_other_programs_the_cores_they_use():
    assert automatic_threads(None, cores=4) == 4  # cannot tell: all cores
    assert automatic_threads(0.2, cores=4) == 4  # a browser idling
    assert automatic_threads(1.0, cores=4) == 3  # one core's worth busy: one thread fewer
    assert automatic_threads(1.1, cores=2) == 1
    # Others busy on most cores: every thread is slowed alike, and all of them get the biggest share.
    assert automatic_threads(3.0, cores=4) == 4
    assert automatic_threads(2.0, cores=2) == 2


def _services(sample_bundle):
    services = open_services(bundle=sample_bundle)
    services.close()  # only the choice is needed; the model loads below as the window's loader does
    return services


@pytest.mark.parametrize("policy_threads, setting, expected", [(None, 1, 1), (2, 1, 2)])
def test_the_threads_setting_reaches_llama_cpp(sample_bundle, isolated_home, policy_threads, setting, expected):
    """Settings > Processor threads (and the policy over it) is the n_threads llama.cpp computes with."""
    if policy_threads:
        (isolated_home / "policy.toml").write_text(f"threads = {policy_threads}\n")
    save_settings(UserSettings(threads=setting))
    services = _services(sample_bundle)
    runtime = load_runtime(services.model_choice, services.policy)
    try:
        assert runtime.llama_threads == expected
        "".join(runtime.generate([{"role": "user", "content": "Hello"}], max_tokens=2))
        assert runtime.llama_threads == expected  # a fixed count is not adjusted to the machine's load
    finally:
        runtime.close()


def test_automatic_threads_follow_the_machine_before_each_draft(sample_bundle, monkeypatch):
    """With nothing set, a core's worth busy elsewhere means a thread fewer from the next draft on, and all again when idle."""
    if physical_cores() < 2:
        pytest.skip("one physical core: there is no thread to leave to others")
    services = _services(sample_bundle)
    assert services.model_choice.threads == ThreadChoice(None, "automatic")
    runtime = load_runtime(services.model_choice, services.policy)
    busy = {"cores": float(physical_cores() // 2)}
    monkeypatch.setattr(runtime._cpu_load, "others_busy_cores", lambda: busy["cores"])
    try:
        "".join(runtime.generate([{"role": "user", "content": "Hello"}], max_tokens=2))
        assert runtime.llama_threads == runtime.threads == automatic_threads(busy["cores"]) < physical_cores()
        busy["cores"] = 0.0
        "".join(runtime.generate([{"role": "user", "content": "Hello"}], max_tokens=2))
        assert runtime.llama_threads == runtime.threads == physical_cores()
    finally:
        runtime.close()



@pytest.mark.parametrize("policy_threads, setting, expected", [(None, 1, 1), (None, 2, 2), (2, 1, 2)])
def test_ask_and_model_bench_run_with_the_threads_setting_the_window_uses(sample_bundle, isolated_home, policy_threads, setting,
                                                                           expected):
    """`frontdesk ask` and `frontdesk model bench` read Settings > Processor threads (and the policy over it) through
    the window's own app.model_choice.thread_choice: the loaded model computes with that count.

    1 and 2 threads both: on this 2-core machine automatic picks one or the other with the load, so one
    of the two cases differs from what automatic would have chosen."""
    from click.testing import CliRunner

    from cli import cli
    from app.config import load_policy
    from app.model_choice import thread_choice

    if policy_threads:
        (isolated_home / "policy.toml").write_text(f"threads = {policy_threads}\n")
    save_settings(UserSettings(threads=setting))
    assert thread_choice(load_policy()).count == expected  # what the window's open_services gives its model
    runner = CliRunner()
    asked = runner.invoke(cli, ["ask", "--bundle", str(sample_bundle), "--generated", "--max-tokens", "8", "--json",
                                "when is universal credit paid"])
    assert asked.exit_code == 0, asked.output
    model = json.loads(asked.output)["model"]
    assert model["used"] and model["threads"] == expected
    bench = runner.invoke(cli, ["model", "bench", "--tokens", "8", "--json"])
    assert bench.exit_code == 0, bench.output
    assert json.loads(bench.output)["speed"]["threads"] == expected
