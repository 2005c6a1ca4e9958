"""One writer per file format. Each takes a binary file and an `ExportInfo`, then `add`s
batches of excerpts and `finish`es; none holds more than a batch (XLSX rows go to
openpyxl's write-only sheets, which spool to temporary files)."""
