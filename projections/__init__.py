"""DuckDB projections of the event record: tables an analyst can read, and the indicators.

`schema` declares the wide event log; `decode` turns a batch of Kafka messages into one
Arrow table of log rows (`decoding` runs that in a worker process); `load` appends a
batch with the offsets it came from in one transaction; `database` opens the projection
and installs the SQL in `sql/`; `runner` follows the events topic; `snapshot` publishes
the read-only copy analysts open; `indicators` and `output` serve the analyst commands.
"""
