import pandas as pd
import pytest

from dlcheck.data.loading import load_table
from dlcheck.errors import DataError


def test_reads_csv_tsv_parquet(tmp_path):
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.tsv", "t.parquet"):
        pd.testing.assert_frame_equal(load_table(tmp_path / name), df)


def test_semicolon_csv_is_sniffed(tmp_path):
    (tmp_path / "t.txt").write_text("a;b\n1;2\n3;4\n")
    assert list(load_table(tmp_path / "t.txt").columns) == ["a", "b"]


def test_latin1_and_bom(tmp_path):
    (tmp_path / "latin.csv").write_bytes("nom,v\ncaf\xe9,1\n".encode("latin-1"))
    (tmp_path / "bom.csv").write_bytes("\ufeffa,b\n1,2\n".encode())
    assert load_table(tmp_path / "latin.csv")["nom"][0] == "café"
    assert list(load_table(tmp_path / "bom.csv").columns) == ["a", "b"]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"a,b,c\n", "header but no data rows"),
    (b"\x00\x01\x02binary\x00", "binary file"),
    (b'a,b\n1,"unterminated\n', "could not parse"),
])
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_table(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_table(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        load_table(tmp_path)
