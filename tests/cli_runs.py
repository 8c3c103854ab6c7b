"""Running the `journeys` command line from a test, against the test's own settings.

Importable from any test (tests/ is on sys.path): `from cli_runs import run_journeys`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from events.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def cli_environment(settings: Settings) -> dict[str, str]:
    """This process's environment with what the test's settings chose: the cluster, the
    topic prefix, the partitions, the state directory, the projection database and the
    key store."""
    assert settings.bootstrap_servers is not None, "the kafka fixture names a cluster"
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "JOURNEYS_TOPIC_PREFIX": settings.topic_prefix,
        "JOURNEYS_PARTITIONS": str(settings.partitions),
        "JOURNEYS_STATE_DIR": str(settings.state_dir),
        "JOURNEYS_DB": str(settings.database),
        "JOURNEYS_KEY_STORE": str(settings.key_store),
        "JOURNEYS_MASTER_KEY_FILE": str(settings.master_key_file),
        "JOURNEYS_ANALYSIS": settings.analysis,
    }


def run_journeys(
    settings: Settings, *arguments: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m journeys ARGUMENTS` in the repository, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "journeys", *arguments],
        env=cli_environment(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
