"""The journey domain: the `Journey` aggregate, its rules of practice and the facts they read.

It imports the event contract (`events.catalogue`, `events.codes`, `events.refusals`) and
the `eventsourcing` library's domain model, and nothing of Kafka, DuckDB or the command
line (tests/unit/test_layers.py checks it).
"""
