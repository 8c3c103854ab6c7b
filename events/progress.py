"""A small progress bar on stderr, shared by every long-running command.

    with Progress(total=len(events), label="publishing") as progress:
        for batch in batches:
            send(batch)
            progress.advance(len(batch))

On a terminal the line is redrawn in place at most ten times a second; when stderr is a
file or a pipe (CI logs, tests) a line is written only every 10% or every 5 seconds, so
logs stay readable. With `total=None` (unknown size) it counts instead of drawing a bar.
The final line always states the count, the elapsed time and the rate.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

_BAR_WIDTH = 30
_TERMINAL_INTERVAL_SECONDS = 0.1
_LOG_INTERVAL_SECONDS = 5.0


class Progress:
    """Counts work done towards `total` and shows it on stderr (or `stream`)."""

    def __init__(
        self,
        total: int | None,
        label: str,
        *,
        stream: TextIO | None = None,
        unit: str = "",
    ) -> None:
        if total is not None and total < 0:
            raise ValueError(f"Progress total must be None or at least 0, not {total}")
        self.total = total
        self.label = label
        self.unit = unit
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._interactive = self._stream.isatty()
        self._started = time.monotonic()
        self._last_drawn = float("-inf")
        self._last_logged_tenth = -1

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        self._draw(force=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finish(failed=exc_type is not None)

    def advance(self, n: int = 1) -> None:
        """Record `n` more items done."""
        if n < 0:
            raise ValueError(f"Progress can only advance by 0 or more, not {n}")
        self.done += n
        self._draw(force=False)

    @property
    def elapsed_seconds(self) -> float:
        return time.monotonic() - self._started

    def _line(self) -> str:
        elapsed = self.elapsed_seconds
        rate = self.done / elapsed if elapsed > 0 else 0.0
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = round(share * _BAR_WIDTH)
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            counts = f"{self.done:,}/{self.total:,}{unit}"
            return f"{self.label} [{bar}] {share:6.1%} {counts} {elapsed:.1f}s {rate:,.0f}/s"
        return f"{self.label} {self.done:,}{unit} {elapsed:.1f}s {rate:,.0f}/s"

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if self._interactive:
            if force or now - self._last_drawn >= _TERMINAL_INTERVAL_SECONDS:
                self._stream.write("\r" + self._line() + "\x1b[K")
                self._stream.flush()
                self._last_drawn = now
            return
        # Not a terminal: one line per tenth of the work, or every few seconds.
        tenth = int(10 * self.done / self.total) if self.total else -1
        overdue = now - self._last_drawn >= _LOG_INTERVAL_SECONDS
        if force or tenth > self._last_logged_tenth or overdue:
            self._stream.write(self._line() + "\n")
            self._stream.flush()
            self._last_drawn = now
            self._last_logged_tenth = max(tenth, self._last_logged_tenth)

    def _finish(self, *, failed: bool) -> None:
        outcome = " (stopped by an error)" if failed else " done"
        if self._interactive:
            self._stream.write("\r" + self._line() + outcome + "\x1b[K\n")
        else:
            self._stream.write(self._line() + outcome + "\n")
        self._stream.flush()
