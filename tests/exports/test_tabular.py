"""The CSV writer's own field quoting writes what the standard library's csv.writer does."""

import csv
import io
import random

import pytest

from app.exports.writers.tabular import csv_field

PIECES = ["plain", "a, b", 'she said "no"', "line\nbreak", "cr\rhere", "crlf\r\n", " lead",
          "trail ", "", "’curly’", "Zoë", "🙂", "=SUM(A1)", "-10", "\t", '"', ",", "\n"]


def value(rng: random.Random):
    kind = rng.randrange(6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.randint(-10**6, 10**6)
    if kind == 2:
        return rng.choice([0.5, 1e-7, 3.0, -2.25])
    if kind == 3:
        return rng.choice([True, False])
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_rows_are_written_as_csv_writer_writes_them(end):
    """Byte for byte csv.writer's with CRLF line ends (the Excel variant). With LF ends
    csv.writer leaves a lone CR unquoted, which R's readers take for a line end: ours
    quotes it there too. Either way the csv module reads every value back."""
    rng = random.Random(7)
    rows = [[value(rng) for _ in range(rng.randint(2, 8))] for _ in range(2000)]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(rows)
    mine = "".join(",".join(csv_field(v) for v in row) + end for row in rows)
    if end == "\r\n":
        assert mine == expected.getvalue()
    assert list(csv.reader(io.StringIO(mine, newline=""))) == [
        ["" if v is None else str(v) for v in row] for row in rows]


def test_the_excel_field_is_the_guarded_csv_field():
    """One call per cell in the Excel variant gives what guard then csv_field gives."""
    from app.exports.columns import guard
    from app.exports.writers.tabular import excel_field

    rng = random.Random(11)
    values = [value(rng) for _ in range(5000)] + ["=1+1", "+44 7700", "-", "@x", "\tx", "\r"]
    assert [excel_field(v) for v in values] == [csv_field(guard(v)) for v in values]
    assert excel_field("=HYPERLINK(\"x\")") == '"\'=HYPERLINK(""x"")"'
