"""Sub-commands of `journeys`: each module defines `register(subparsers)`.

A command sets `handler=` on its parser with `set_defaults`; the handler takes the parsed
arguments and returns the exit code.
"""
