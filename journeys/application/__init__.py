"""The application service: `JourneyApplication` judges submissions against the journeys
they concern and saves what it accepts, through the `eventsourcing` library.

It orchestrates the domain; the Kafka adapters (`journeys.kafka`) drive it and give it
its persistence.
"""
