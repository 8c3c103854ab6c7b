"""The one thin Kafka client of the project: how every part reads and writes the record.

`client` owns the consumer, producer and admin options and the caught-up test;
`committed` is the consumer that drops records of aborted transactions. Both the journey
service (`journeys.kafka`) and the projections (`projections`) use them, so they live
beside the contract rather than in either.
"""
