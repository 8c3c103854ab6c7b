"""The command line answers an operator's mistakes with one line, never a traceback.

Each test runs `journeys.entrypoints.cli.main` in this process against a projection snapshot built
without Kafka (or with settings that fail before any Kafka client starts).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from events.exceptions import ConfigurationError
from events.settings import Settings
from journeys.entrypoints.cli import EXIT_FAILED, EXIT_USAGE, main
from journeys.kafka.exceptions import WriterFenced
from journeys.synthetic import AuthorityParameters, generate
from projections.database import writer_session
from projections.definitions import indicator_definitions
from projections.load import append, batch_of
from projections.snapshot import open_snapshot


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A projection database of a small synthetic authority, its snapshot published."""
    database = tmp_path_factory.mktemp("projection") / "journeys.duckdb"
    with writer_session(database) as (connection, snapshots):
        events = generate(AuthorityParameters(children=40, seed=5))
        append(connection, "care.journey.events", batch_of(events))
        snapshots.publish()
    return database


@pytest.fixture
def projection(snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOURNEYS_DB", str(snapshot))
    monkeypatch.chdir(snapshot.parent)
    return snapshot


def years_held(database: Path) -> tuple[int, int]:
    connection = open_snapshot(database)
    try:
        row = connection.execute("select min(year), max(year) from indicators").fetchone()
    finally:
        connection.close()
    assert row is not None
    return row[0], row[1]


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# indicators


def test_an_as_of_beyond_the_calendar_names_the_option_and_the_range(
    projection: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", "--year", "2024", "--as-of", "9999-12-31"]) == EXIT_USAGE
    message = one_line(capsys.readouterr().err)
    assert "--as-of" in message
    assert "0001-01-01 to 9999-12-30" in message
    assert "'9999-12-31'" in message


def test_a_year_without_data_says_so_and_which_years_the_record_holds(
    projection: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, last = years_held(projection)
    assert main(["indicators", "--year", "1800"]) == EXIT_FAILED
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err) == (
        "journeys indicators: no data for reporting year 1800: the projection holds "
        f"reporting years {first} to {last}"
    )


def test_a_year_of_the_record_asked_as_known_before_it_still_answers(
    projection: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing of it was recorded yet: the true answer is empty, and not an error.
    _first, last = years_held(projection)
    code = main(["indicators", "--year", str(last), "--as-of", "1990-01-01", "--format", "csv"])
    assert code == 0
    out, err = capsys.readouterr()
    assert out == "indicator,year,numerator,denominator,rate\n"
    assert "nothing was recorded for reporting year" in one_line(err)


def test_indicators_print_no_warning(projection: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["indicators", "--year", str(years_held(projection)[1])]) == 0
    assert [str(warning.message) for warning in caught] == []
    # The header, the rule, one line per indicator.
    assert capsys.readouterr().out.count("\n") == 2 + len(indicator_definitions())


# process, project


@pytest.mark.parametrize("command", ["process", "project"])
@pytest.mark.parametrize("size", ["0", "-5", "many"])
def test_a_batch_size_below_one_is_a_usage_error_naming_the_option(
    command: str, size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([command, "--batch-size", size])
    assert stopped.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"argument --batch-size: must be a whole number of at least 1, not '{size}'" in err


# settings

# Every command that reads its settings, with arguments that would otherwise be valid.
COMMANDS = [
    ["indicators", "--year", "2024"],
    ["sql", "select 1"],
    ["process", "--until-idle"],
    ["project", "--until-idle"],
    ["publish", "submissions.jsonl"],
    ["rejected"],
    ["timeline", "C1"],
    ["demo", "--children", "10"],
]

BAD_SETTINGS = [
    ("JOURNEYS_PARTITIONS", "abc", "a whole number of at least 1"),
    ("JOURNEYS_PARTITIONS", "0", "a whole number of at least 1"),
    ("JOURNEYS_REPLICATION_FACTOR", "x", "a whole number of at least 1"),
    ("JOURNEYS_CONNECT_TIMEOUT", "soon", "a number of seconds above 0"),
    ("JOURNEYS_DUCKDB_MEMORY_LIMIT", "lots", "a size of at least 1MiB, such as 2GB"),
    ("JOURNEYS_DUCKDB_MEMORY_LIMIT", "10KB", "a size of at least 1MiB, such as 2GB"),
    ("KAFKA_BOOTSTRAP_SERVERS", "localhost:abc", "a comma-separated list of host:port"),
    ("KAFKA_SECURITY_PROTOCOL", "TLS", "one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"),
    ("KAFKA_SASL_MECHANISM", "PLAINTEXT", "one of PLAIN, GSSAPI"),
    ("KAFKA_SSL_CAFILE", "/no/such/ca.pem", "the path of an existing file"),
]


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda arguments: arguments[0])
@pytest.mark.parametrize(("variable", "value", "rule"), BAD_SETTINGS)
def test_a_bad_setting_is_one_line_naming_the_variable_and_its_rule(
    arguments: list[str],
    variable: str,
    value: str,
    rule: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "submissions.jsonl").write_text("")
    monkeypatch.setenv("JOURNEYS_DB", str(tmp_path / "journeys.duckdb"))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")  # never reached
    monkeypatch.setenv(variable, value)
    assert main(arguments) == EXIT_USAGE
    message = one_line(capsys.readouterr().err)
    assert message.startswith(f"journeys {arguments[0]}: {variable} must be {rule}")
    assert repr(value) in message


def test_good_settings_still_read_as_before() -> None:
    settings = Settings.from_environment(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9093,kafka-2",
            "JOURNEYS_PARTITIONS": "6",
            "JOURNEYS_REPLICATION_FACTOR": "3",
            "JOURNEYS_CONNECT_TIMEOUT": "2.5",
            "JOURNEYS_DUCKDB_MEMORY_LIMIT": "1.5 GiB",
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_PASSWORD": " spaces kept ",
        }
    )
    assert (settings.bootstrap_servers, settings.partitions, settings.replication_factor) == (
        "kafka-1:9093,kafka-2", 6, 3,
    )  # fmt: skip
    assert settings.client_options()["bootstrap_timeout_ms"] == 2500
    assert settings.duckdb_memory_limit_bytes == 3 << 29
    assert Settings.from_environment({}).duckdb_memory_limit_bytes == 1 << 30
    assert settings.security["sasl_plain_password"] == " spaces kept "
    assert Settings.from_environment({}).replication_factor == -1
    with pytest.raises(ConfigurationError):
        Settings.from_environment({"JOURNEYS_REPLICATION_FACTOR": "0"})


# sql

WRITES = {
    "copy": "copy (select 1 as n) to '{out}'",
    "copy a table": "copy event_log to '{out}'",
    "export": "export database '{dir}'",
    "attach": "attach '{dir}.duckdb' as other",
    "install": "install httpfs",
    "load": "load httpfs",
    "set": "set enable_external_access = true",
    "reset": "reset lock_configuration",
    "pragma set": "pragma threads = 1",
    "create temp": "create temp table t as select 1",
    "second statement": "select 1; copy (select 2) to '{out}'",
    "call": "call checkpoint()",
    "import": "import database '{dir}'",
    "pragma that reconfigures": "pragma enable_verification",
    "checkpoint function": "select * from checkpoint()",
}


@pytest.mark.parametrize("statement", WRITES.values(), ids=WRITES.keys())
def test_sql_refuses_every_write_with_a_clear_message(
    statement: str, projection: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, directory = tmp_path / "out.csv", tmp_path / "export"
    assert main(["sql", statement.format(out=out, dir=directory)]) == EXIT_FAILED
    message = one_line(capsys.readouterr().err)
    assert message.startswith("journeys sql: refused: ")
    assert "journeys sql only reads the snapshot and writes nothing" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "statement",
    ["select * from read_csv('{out}')", "select * from read_text('{out}')"],
    ids=["read another file", "read its text"],
)
def test_sql_cannot_reach_the_file_system_even_through_a_query(
    statement: str, projection: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, directory = tmp_path / "out.csv", tmp_path / "export"
    out.write_text("n\n1\n")
    directory.mkdir()
    (directory / "schema.sql").write_text("create table x (n int);")
    assert main(["sql", statement.format(out=out, dir=directory)]) == EXIT_FAILED
    assert "file system operations are disabled" in capsys.readouterr().err


@pytest.mark.parametrize(
    "query",
    [
        "select count(*) as n from event_log",
        "with e as (select * from event_log) select count(*) as n from e",
        "from indicators limit 1",
        "describe event_log",
        "pivot event_log on kafka_partition using count(*)",
        "pragma table_info('event_log')",
        "explain select 1",
    ],
)
def test_sql_still_answers_queries(
    query: str, projection: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", query]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out


# the one place for known faults


def test_a_known_fault_escaping_a_command_is_one_line_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from journeys.entrypoints.cli.commands import rejected

    def fenced(_arguments: object) -> int:
        raise WriterFenced("journeys-processor")

    monkeypatch.setattr(rejected, "run", fenced)
    assert main(["rejected"]) == EXIT_USAGE
    message = one_line(capsys.readouterr().err)
    assert message.startswith("journeys rejected: another processor started")


def test_an_unknown_fault_still_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeys.entrypoints.cli.commands import rejected

    def broken(_arguments: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(rejected, "run", broken)
    with pytest.raises(ZeroDivisionError):
        main(["rejected"])
