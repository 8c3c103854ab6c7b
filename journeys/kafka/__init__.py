"""Kafka adapters: the embedded broker, topics, the journey record and the processor."""
