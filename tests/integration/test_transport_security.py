"""Transport security end to end: the KAFKA_SECURITY_PROTOCOL and KAFKA_SSL_* settings
against a broker that speaks only TLS (issue 17, item 6).

A throwaway CA signs a certificate for 127.0.0.1 and localhost and one for a client; a
second CA signs nothing the broker trusts. Two brokers of this module's own (not the
session's shared one) speak only TLS: one checks the server's side alone, the other also
requires a client certificate (mutual TLS). The embedded broker terminates TLS in this
process, because Tansu 0.6.0 cannot (journeys.kafka.broker says why); the service's
clients connect to nothing but the TLS port, which the refused clear-text client proves.

A successful SASL login is not tested: the embedded broker admits no one (the same
docstring says why), and no other broker can be started on this machine; the README's
"Running on a Kafka cluster" says so. A refused one is: a SASL_SSL client whose SCRAM login
the broker turns away gets the same clear message as the other refused clients.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from kafka_examples import referral, simple_journey

from events.settings import Settings
from journeys.entrypoints.cli import EXIT_UNREACHABLE, main
from journeys.kafka.broker import BrokerTls, EmbeddedBroker, embedded_broker
from journeys.kafka.exceptions import BrokerError
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.rejected import read_rejections
from journeys.kafka.topics import ensure_topics
from projections.runner import project

pytestmark = [pytest.mark.kafka]

CONNECT_TIMEOUT = "2"  # seconds: a refused client gives up this soon, not after 10


@dataclass(frozen=True)
class Certificates:
    ca: Path  # signed the broker's and the client's certificates
    stranger_ca: Path  # signed neither
    broker: BrokerTls
    client_cert: Path
    client_key: Path


def _openssl(*arguments: str | Path) -> None:
    subprocess.run(["openssl", *map(str, arguments)], check=True, capture_output=True)


def _authority(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", f"/CN=care-journeys test {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout", key, "-out", cert,
    )  # fmt: skip
    return cert, key


def _signed(directory: Path, name: str, ca: tuple[Path, Path], extensions: str) -> Path:
    """A new key `name`.key and its certificate `name`.pem, signed by `ca`."""
    key, request = directory / f"{name}.key", directory / f"{name}.csr"
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", f"/CN={name}", "-keyout", key, "-out", request,
    )  # fmt: skip
    extfile = directory / f"{name}.ext"
    extfile.write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        f"subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n{extensions}\n"
    )
    cert = directory / f"{name}.pem"
    _openssl(
        "x509", "-req", "-in", request, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
        "-days", "2", "-extfile", extfile, "-out", cert,
    )  # fmt: skip
    return cert


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    directory = tmp_path_factory.mktemp("tls")
    ca = _authority(directory, "ca")
    stranger, _ = _authority(directory, "stranger-ca")
    broker = _signed(
        directory,
        "broker",
        ca,
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost",
    )
    client = _signed(directory, "care-journeys", ca, "extendedKeyUsage=clientAuth")
    return Certificates(
        ca=ca[0],
        stranger_ca=stranger,
        broker=BrokerTls(certfile=broker, keyfile=directory / "broker.key"),
        client_cert=client,
        client_key=directory / "care-journeys.key",
    )


@pytest.fixture(scope="module")
def tls_broker(certificates: Certificates) -> Iterator[EmbeddedBroker]:
    """A broker that speaks only TLS and asks clients for no certificate."""
    with embedded_broker(tls=certificates.broker) as broker:
        yield broker


@pytest.fixture(scope="module")
def mutual_tls_broker(certificates: Certificates) -> Iterator[EmbeddedBroker]:
    """A broker that speaks only TLS and admits only clients with a certificate from `ca`."""
    tls = BrokerTls(certificates.broker.certfile, certificates.broker.keyfile, certificates.ca)
    with embedded_broker(tls=tls) as broker:
        yield broker


def _environment(broker: EmbeddedBroker, tmp_path: Path, **security: str | Path) -> dict[str, str]:
    """What an operator would export: the broker, the security settings, local state."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        **{f"KAFKA_{name.upper()}": str(value) for name, value in security.items()},
        "JOURNEYS_TOPIC_PREFIX": f"test-{uuid.uuid4().hex[:12]}.",
        "JOURNEYS_REPLICATION_FACTOR": "1",
        "JOURNEYS_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
        "JOURNEYS_STATE_DIR": str(tmp_path / "state"),
        "JOURNEYS_DB": str(tmp_path / "journeys.duckdb"),
        "JOURNEYS_KEY_STORE": str(tmp_path / "keys" / "journeys-keys.sqlite"),
        "JOURNEYS_MASTER_KEY_FILE": str(tmp_path / "keys" / "journeys-master.key"),
    }


def _record_and_project(settings: Settings) -> None:
    """Two children's journeys and one refused referral, through the whole service:
    publish, process, project, and the refusal read back, every client over TLS."""
    journeys = [*simple_journey("C1"), *simple_journey("C2")]
    unregistered = referral("NOBODY")
    ensure_topics(settings)
    publish_events(settings, [*journeys, unregistered])
    summary = process_until_idle(settings)
    assert (summary.accepted, summary.refused) == (len(journeys), 1)
    project(settings, follow=False)

    connection = duckdb.connect(str(settings.database), read_only=True)
    try:
        rows = connection.execute("select event_id from event_log").fetchall()
    finally:
        connection.close()
    assert {row[0] for row in rows} == {event.event_id for event in journeys}
    rejections = read_rejections(settings)
    assert [r.event_id for r in rejections] == [str(unregistered.event_id)]
    assert rejections[0].rule_code == "CHILD_NOT_REGISTERED"


def test_the_service_records_and_projects_over_tls_with_the_ca_setting(
    tls_broker: EmbeddedBroker, certificates: Certificates, tmp_path: Path
) -> None:
    settings = Settings.from_environment(
        _environment(tls_broker, tmp_path, security_protocol="SSL", ssl_cafile=certificates.ca)
    )
    _record_and_project(settings)


def test_the_service_records_and_projects_over_mutual_tls_with_its_own_certificate(
    mutual_tls_broker: EmbeddedBroker, certificates: Certificates, tmp_path: Path
) -> None:
    settings = Settings.from_environment(
        _environment(
            mutual_tls_broker,
            tmp_path,
            security_protocol="SSL",
            ssl_cafile=certificates.ca,
            ssl_certfile=certificates.client_cert,
            ssl_keyfile=certificates.client_key,
        )
    )
    _record_and_project(settings)


@pytest.fixture(scope="module")
def refusing_broker(certificates: Certificates) -> Iterator[EmbeddedBroker]:
    """A broker that speaks only TLS and ends every SCRAM login with "unknown user"."""
    with embedded_broker(tls=certificates.broker, refuse_every_login=True) as broker:
        yield broker


Security = Callable[[Certificates], dict[str, str | Path]]
# Each case: the broker it tries, and the client's security settings.
REFUSED: dict[str, tuple[str, Security]] = {
    "clear text to a TLS broker": ("tls_broker", lambda c: {}),
    "a CA that did not sign the broker": (
        "tls_broker",
        lambda c: {"security_protocol": "SSL", "ssl_cafile": c.stranger_ca},
    ),
    "no client certificate where one is required": (
        "mutual_tls_broker",
        lambda c: {"security_protocol": "SSL", "ssl_cafile": c.ca},
    ),
    "a SCRAM login the broker refuses": (
        "refusing_broker",
        lambda c: {
            "security_protocol": "SASL_SSL",
            "ssl_cafile": c.ca,
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": "care-journeys",
            "sasl_password": "not-the-password",
        },
    ),
}
_SECURITY_VARIABLES = (
    "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD", "KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE",
)  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_a_client_the_tls_broker_refuses_gets_the_unreachable_message_not_a_hang(
    case: str,
    certificates: Certificates,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixture, security = REFUSED[case]
    broker: EmbeddedBroker = request.getfixturevalue(fixture)
    monkeypatch.chdir(tmp_path)
    for variable in _SECURITY_VARIABLES:  # only what this case sets, whatever the shell had
        monkeypatch.delenv(variable, raising=False)
    for name, value in _environment(broker, tmp_path, **security(certificates)).items():
        monkeypatch.setenv(name, value)

    assert main(["process", "--until-idle"]) == EXIT_UNREACHABLE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith(
        f"journeys process: could not reach the Kafka cluster at {broker.bootstrap_servers} "
        f"within {CONNECT_TIMEOUT} s: check that KAFKA_BOOTSTRAP_SERVERS"
    )
    assert "KAFKA_SSL_* settings" in err


def test_a_tls_broker_whose_key_cannot_be_read_does_not_start(
    certificates: Certificates, tmp_path: Path
) -> None:
    tls = BrokerTls(certificates.broker.certfile, tmp_path / "no-such.key")
    refused = "TLS certificate, key or client CA could not be loaded"
    with pytest.raises(BrokerError, match=refused), embedded_broker(tls=tls):
        pytest.fail("a broker started without its key")
