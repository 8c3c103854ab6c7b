"""Text from the record or from a submission, made safe to print on an operator's terminal.

Identifiers and messages come from source systems, and a refused submission's key and
headers are whatever its sender wrote: a NUL, a terminal escape sequence (which can clear
the screen, rewrite earlier lines or set the window title) or a right-to-left override
would act on the terminal instead of being shown. `shown` makes every character that is
not printable visible as its Python escape (`\\x1b`, `\\n`, `\\u202e`; a backslash as
`\\\\`, so an escape cannot be forged), and cuts a long value with an ellipsis and its
original length, so one 5 MB value cannot bury the rest of a table.
"""

from __future__ import annotations

DEFAULT_LIMIT = 80


def escaped(text: str) -> str:
    """`text` with a backslash and every non-printable character written as an escape."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape(character) for character in text)


def _escape(character: str) -> str:
    if character == "\\":
        return "\\\\"
    if character.isprintable():
        return character
    return character.encode("unicode_escape", errors="backslashreplace").decode("ascii")


def shown(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`text` escaped, cut after `limit` characters with '…' and the original length."""
    if len(text) <= limit:
        return escaped(text)
    return f"{escaped(text[:limit])}… ({len(text):,} characters)"
