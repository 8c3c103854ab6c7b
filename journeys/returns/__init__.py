"""The statutory returns: SSDA903 and the CIN census in and out of the record.

`validators` runs the DfE's validation rules on a return; `record` reads the record as
known at a moment; `ssda903` and `cin` build each return from it and read one back.
"""
