"""Errors name options neutrally; the command line and Python each word them their way."""

import pandas as pd
import pytest

from dlcheck import assess
from dlcheck.errors import DataError


def test_an_option_is_a_flag_on_the_command_line_and_an_argument_in_python():
    error = DataError("<task=binary> needs 2 classes: use <task=multiclass>, or drop <gap> "
                      "(<time_col> stays).")
    assert str(error) == ("task='binary' needs 2 classes: use task='multiclass', or drop gap "
                          "(time_col stays).")
    assert error.for_command_line() == ("--task binary needs 2 classes: use --task multiclass, "
                                        "or drop --gap (--time-col stays).")


def test_text_that_only_looks_like_a_marker_is_left_as_it_is():
    error = DataError("column '<x>' and <not_an_option> are not options")
    assert str(error) == error.for_command_line() == ("column '<x>' and <not_an_option> are "
                                                      "not options")


def test_assess_words_its_errors_for_python(tmp_path):
    df = pd.DataFrame({"x": range(60), "y": [0, 1] * 30})
    with pytest.raises(DataError) as caught:
        assess(df, "y", min_gain=-1)
    assert str(caught.value) == "min_gain must be 0 or more, not -1."
    assert caught.value.for_command_line() == "--min-gain must be 0 or more, not -1."


def test_the_command_line_words_them_as_flags(run_cli, tmp_path):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"x": [0.5, 1.5, 2.5] * 20, "y": [0, 1] * 30}).to_csv(csv, index=False)
    result = run_cli("run", str(csv), "--target", "y", "--gap", "2", "--out",
                     str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: --gap leaves periods out")
    assert "it needs --time-col." in result.stderr
