"""The declared-schema check: one line naming file, row and column, and what was expected."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.io.schema import Column, DataFrameSchema, in_range, validate
from analysis.util.errors import InputError

SCHEMA = DataFrameSchema({
    "PRAC_CODE": Column(str, nullable=False),
    "TOTAL_PATIENTS": Column(float, in_range(0, 200_000, "a list size from 0 to 200,000"),
                             nullable=True),
})


def frame(**cols):
    return pd.DataFrame(cols)


def test_valid_frame_passes_unchanged():
    df = frame(PRAC_CODE=["A1", "A2"], TOTAL_PATIENTS=[10.0, None])
    pd.testing.assert_frame_equal(validate(df, SCHEMA, "f.csv"), df)


def test_out_of_range_names_the_earliest_row_and_column():
    df = frame(PRAC_CODE=["A1", "A2", "A3"], TOTAL_PATIENTS=[10.0, 1e308, -1.0])
    with pytest.raises(InputError) as exc:
        validate(df, SCHEMA, "dir/f.csv")
    assert str(exc.value) == ("f.csv, row 3, column 'TOTAL_PATIENTS': expected a list size "
                              "from 0 to 200,000, found '1e+308'")


def test_rows_numbered_in_the_index_are_reported_as_such():
    df = frame(PRAC_CODE=["A1", None], TOTAL_PATIENTS=[1.0, 2.0])
    df.index = [7, 12]
    with pytest.raises(InputError, match=r"^f\.csv, row 12, column 'PRAC_CODE': expected a "
                                         r"value \(it is blank\)$"):
        validate(df, SCHEMA, "f.csv", numbered=True)


def test_missing_column_is_row_1():
    with pytest.raises(InputError, match=r"^f\.csv, row 1, column 'TOTAL_PATIENTS': required "
                                         r"column missing$"):
        validate(frame(PRAC_CODE=["A1"]), SCHEMA, "f.csv")


def test_wrong_type_says_which_type():
    with pytest.raises(InputError, match=r"column 'TOTAL_PATIENTS': expected a value of type "
                                         r"float64"):
        validate(frame(PRAC_CODE=["A1"], TOTAL_PATIENTS=["x"]), SCHEMA, "f.csv")
