"""What people run: the `journeys` command line, the demo and the HTML report.

Entry points wire the layers below together (settings, the Kafka adapters, the
application service, the projections); nothing below imports them.
"""
