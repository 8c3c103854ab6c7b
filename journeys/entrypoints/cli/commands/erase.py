"""`journeys erase`: forget children: destroy their keys, so the record can never name them.

The record is immutable, so erasure is crypto-shredding: the children's data keys and
pseudonym mappings are deleted from the key store (JOURNEYS_KEY_STORE), which makes every
sealed value about them on the record unreadable for good, and the erasure itself is
recorded there (when, by whom, why; never what). The processor then refuses any new
submission about them (CHILD_ERASED, keeping no copy), purges its state store of them on
its next batch or start, and the projection runner deletes their rows from the analysts'
database: every indicator, as known at any moment, is then as if they had never been
recorded, so published figures for past years can change. Erasing a child twice is
harmless; naming a child the record does not hold changes nothing and says so.
"""

from __future__ import annotations

import argparse
import getpass

from events.key_store import open_key_store
from events.settings import Settings


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--local-authority", required=True, help="the 3-digit DfE code of the children's authority"
    )
    parser.add_argument("child_ids", nargs="+", metavar="CHILD_ID", help="the authority's own ids")
    parser.add_argument(
        "--reason",
        required=True,
        help="why the record forgets them (kept with the erasure; never name the child)",
    )
    parser.add_argument(
        "--by", default=None, help="who asked for it (default: the user running the command)"
    )


def run(arguments: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    key_store = open_key_store(settings)
    try:
        by = arguments.by or getpass.getuser()
        erased = key_store.erase(
            arguments.local_authority, arguments.child_ids, by=by, reason=arguments.reason
        )
    finally:
        key_store.close()
    already = len(set(arguments.child_ids)) - len(erased)
    print(
        f"erased {len(erased)} {'child' if len(erased) == 1 else 'children'} of local authority "
        f"{arguments.local_authority}"
        + (f" ({already} erased before: nothing more to do)" if already else "")
    )
    if erased:
        print(
            "their keys are destroyed: the processor purges its state store of them, and the "
            "projection runner its database, on their next batch or start"
        )
    return 0
