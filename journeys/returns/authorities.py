"""The authorities' two codes: the DfE's 3-digit code the record holds, and the ONS code
the DfE's validators read (for placement locations from postcodes).

Only the authorities the project knows are listed; any other is given by its ONS code.
"""

from __future__ import annotations

from journeys.returns.exceptions import UnknownAuthority

# DfE 3-digit local authority code -> ONS (upper tier) code.
ONS_CODE = {
    "371": "E08000017",  # Doncaster, the founding case
}


def ons_code(local_authority: str) -> str:
    """The ONS code of an authority given by either code."""
    if local_authority in ONS_CODE:
        return ONS_CODE[local_authority]
    if len(local_authority) == 9 and local_authority[0] in "EW" and local_authority[1:].isdigit():
        return local_authority
    raise UnknownAuthority(
        f"--local-authority {local_authority!r}: not a 3-digit DfE code the project knows "
        f"({', '.join(sorted(ONS_CODE))}) nor an ONS code such as E08000017"
    )
