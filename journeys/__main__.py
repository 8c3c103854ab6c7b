import sys

from journeys.entrypoints.cli import main

sys.exit(main())
