"""What is wrong with an import file, said so that the person who filled it in can fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class ImportIssue:
    """One problem: which file and sheet, the row as Excel shows it, the header, the value, why (Chinese).

    `row` is None for a problem of a whole sheet or file (a missing column, an unreadable file); `header`
    is "" when no single column is to blame.
    """

    source: str
    sheet: str
    row: int | None
    header: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def sort_key(self) -> tuple:
        return (self.source, self.sheet, self.row or 0, self.header)
