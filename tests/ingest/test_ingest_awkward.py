"""Awkward text exports: encodings, delimiters, quoting and the errors users must understand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exchange_eval.core.errors import DataError
from exchange_eval.ingest import read_export
from exchange_eval.ingest.inspect import inspect_file
from exchange_eval.ingest.text import decode_text, sniff_delimiter


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found") as info:
        read_export(tmp_path / "absent.csv")
    assert info.value.problem.file.endswith("absent.csv")


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.csv", b"")
    with pytest.raises(DataError, match=r"empty \(0 bytes\)") as info:
        read_export(path)
    assert info.value.problem.file == str(path)


def test_blank_lines_only(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="only blank lines"):
        read_export(write(tmp_path, "blank.csv", b"\r\n\r\n  \r\n"))


def test_header_only_gives_zero_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "header.csv", b"Nom;Pays;Fonction\r\n")
    table = read_export(path)
    assert list(table.frame.columns) == ["Nom", "Pays", "Fonction"]
    assert table.n_rows == 0
    assert table.source_rows == []
    info = inspect_file(path)
    assert info["n_rows"] == 0
    assert info["n_columns"] == 3
    assert info["delimiter"] == ";"
    assert [c["type"] for c in info["columns"]] == ["empty", "empty", "empty"]


def test_bom_and_semicolon(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "Pays;Commentaire\r\nSénégal;Très bien, merci\r\nTchad;Bien\r\n".encode()
    table = read_export(write(tmp_path, "bom.csv", data))
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ";"
    assert list(table.frame.columns) == ["Pays", "Commentaire"]  # no BOM glued to the first header
    assert table.frame.loc[0, "Commentaire"] == "Très bien, merci"
    assert table.source_rows == [2, 3]


def test_multiline_quoted_answer_keeps_line_numbers(tmp_path: Path) -> None:
    text = 'id,comment,score\n1,"first line\nsecond line\n\nfourth line",4\n2,plain,5\n'
    table = read_export(write(tmp_path, "multi.csv", text.encode()))
    assert table.n_rows == 2
    assert table.frame.loc[0, "comment"] == "first line\nsecond line\n\nfourth line"
    assert table.frame.loc[1, "score"] == "5"
    assert table.source_rows == [2, 6]


def test_short_french_cp1252_is_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path, "court.csv", "Nom;Pays\r\nRené;Bénin\r\n".encode("cp1252"))
    table = read_export(path)
    assert table.encoding == "cp1252"
    assert table.frame.loc[0, "Nom"] == "René"
    assert table.frame.loc[0, "Pays"] == "Bénin"


def test_short_utf8_is_utf8(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "court.csv", "Nom;Pays\nRené;Bénin\n".encode()))
    assert table.encoding == "utf-8"
    assert table.frame.loc[0, "Nom"] == "René"


def test_cp1252_curly_apostrophe_and_euro(tmp_path: Path) -> None:
    text, encoding = decode_text("Coût ’ 5 €".encode("cp1252"), tmp_path / "x.csv")
    assert (text, encoding) == ("Coût ’ 5 €", "cp1252")


def test_utf16_excel_unicode_text(tmp_path: Path) -> None:
    data = "Nom\tPays\r\nAwa\tSénégal\r\n".encode("utf-16")
    table = read_export(write(tmp_path, "unicode.txt", data))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.frame.loc[0, "Pays"] == "Sénégal"


def test_binary_with_nul_bytes_renamed_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", b"\x00\x01\x02garbage\x00\xff" * 20)
    with pytest.raises(DataError, match="binary file") as info:
        read_export(path)
    assert info.value.problem.file == str(path)


def test_xlsx_renamed_csv(tmp_path: Path) -> None:
    source = tmp_path / "real.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(source, index=False)
    path = write(tmp_path, "renamed.csv", source.read_bytes())
    with pytest.raises(DataError, match="zip archive"):
        read_export(path)


def test_duplicate_headers_name_both_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.csv", b"Nom,Pays,Nom\nA,B,C\n")
    with pytest.raises(DataError) as info:
        read_export(path)
    message = str(info.value)
    assert "column 1 (A)" in message and "column 3 (C)" in message
    assert info.value.problem.column == "Nom"
    assert info.value.problem.row == 1


def test_ragged_row_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "ragged.csv", b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n")
    with pytest.raises(DataError, match="4 fields but the header has 3") as info:
        read_export(path)
    assert info.value.problem.row == 4


def test_short_rows_and_trailing_empty_fields_are_fine(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "short.csv", b"a;b;c\n1;2\n4;5;6;;\n"))
    assert table.frame.loc[0, "c"] is pd.NA
    assert table.frame.loc[1, "c"] == "6"


def test_truncated_file_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.csv", b'id,comment\n1,"fine"\n2,"cut in the mid')
    with pytest.raises(DataError, match="ends inside a quoted answer") as info:
        read_export(path)
    assert info.value.problem.row == 3


def test_stray_quote_inside_field_is_read_leniently(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "stray.csv", b'id,comment\n1,"a" b\n2,ok\n'))
    assert table.frame.loc[0, "comment"] == "a b"
    assert table.n_rows == 2


def test_unknown_platform_is_a_data_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", b"a,b\n1,2\n")
    with pytest.raises(DataError, match="unknown platform"):
        read_export(path, platform="typeform")


def test_blank_rows_skipped_but_counted(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "gaps.csv", b"a,b\n\n1,2\n,\n3,4\n"))
    assert table.source_rows == [3, 5]


def test_empty_headed_column_with_data_is_named(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "noname.csv", b"a;;c;\n1;x;3;\n"))
    assert list(table.frame.columns) == ["a", "column_B", "c"]
    assert table.frame.loc[0, "column_B"] == "x"


def test_delimiter_sniffing_decimal_commas() -> None:
    text = "Pays;Note;Poids\nSEN;3,5;1,25\nTCD;4,0;2,5\nBFA;2,5;3,75\n"
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("a\tb\tc\n1\t2,5\t3\n") == "\t"
    assert sniff_delimiter('a,b,"c;d"\n1,2,3\n') == ","
    # a title line above the table, with or without Excel's padding
    assert sniff_delimiter("Liste\nNom,Pays\nA,B\n") == ","
    assert sniff_delimiter("Liste;;\nNom;Pays;Role\nA;B;C\n") == ";"
    # one column whose answers hold commas: nothing is split
    assert sniff_delimiter("Commentaire\nBien, merci\nRAS\nOk, oui\n") == ";"


def test_single_column_with_commas_in_answers(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "one.csv", "Commentaire\nBien, merci\nRAS\nTrès utile, vraiment\n".encode()))
    assert list(table.frame.columns) == ["Commentaire"]
    assert table.frame["Commentaire"].tolist() == ["Bien, merci", "RAS", "Très utile, vraiment"]


def test_utf8_file_with_a_pasted_cp1252_line(tmp_path: Path) -> None:
    data = "Nom;Pays\nRené;Bénin\n".encode() + "Zoé;Sénégal\n".encode("cp1252")
    table = read_export(write(tmp_path, "mixed.csv", data))
    assert table.encoding == "utf-8+cp1252"
    assert table.frame["Nom"].tolist() == ["René", "Zoé"]
    assert table.frame.loc[1, "Pays"] == "Sénégal"


def test_kobo_label_export_with_repeated_labels(tmp_path: Path) -> None:
    data = '"Précisez";"Précisez";"_id";"_uuid"\n"a";"b";"1";"u1"\n'.encode()
    table = read_export(write(tmp_path, "kobo.csv", data))
    assert table.platform == "kobo"
    assert list(table.frame.columns) == ["Précisez", "Précisez (2)", "_id", "_uuid"]
    assert "column 2 (B) repeats the header 'Précisez'" in table.warnings[0]


def test_very_long_answer_beyond_csv_default_limit(tmp_path: Path) -> None:
    long_answer = "é" * 200_000
    table = read_export(write(tmp_path, "long.csv", f'id,comment\n1,"{long_answer}"\n'.encode()))
    assert len(table.frame.loc[0, "comment"]) == 200_000


def test_undefined_cp1252_byte_does_not_crash(tmp_path: Path) -> None:
    data = "Nom;Pays\nRené;Bénin\n".encode("cp1252") + b"X\x81Y;Togo\n"
    table = read_export(write(tmp_path, "odd.csv", data))
    assert table.encoding == "cp1252"
    assert table.n_rows == 2
    assert table.frame.loc[0, "Nom"] == "René"  # not a mac_latin2 "Renť"
    assert table.frame.loc[1, "Nom"] == "X\ufffdY"
    assert table.frame.loc[1, "Pays"] == "Togo"


@pytest.mark.parametrize("encoding", ["cp850", "mac_roman"])
def test_short_french_in_dos_or_mac_code_page(tmp_path: Path, encoding: str) -> None:
    table = read_export(write(tmp_path, "dos.csv", "Nom;Pays\nRené;Bénin\nAïcha;Côte d'Ivoire\n".encode(encoding)))
    assert table.encoding == encoding
    assert table.frame["Nom"].tolist() == ["René", "Aïcha"]
    assert table.frame.loc[1, "Pays"] == "Côte d'Ivoire"


def test_capitalised_french_stays_cp1252(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "caps.csv", "ÉCOLE;État\nÉlève;Fête\n".encode("cp1252")))
    assert table.encoding == "cp1252"
    assert list(table.frame.columns) == ["ÉCOLE", "État"]


def test_other_alphabet_goes_to_charset_normalizer(tmp_path: Path) -> None:
    table = read_export(write(tmp_path, "ru.csv", "Имя;Страна\nИван;Россия\nМария;Беларусь\n".encode("cp1251")))
    assert table.encoding == "cp1251"
    assert table.frame.loc[1, "Имя"] == "Мария"


def test_qualtrics_legacy_two_header_rows(tmp_path: Path) -> None:
    text = (
        "ResponseID,StartDate,Q1_1,Q1_2\n"
        "ResponseID,StartDate,Rate - Session A,Rate - Session B\n"
        "R_1,2025-02-10 09:00:00,4,5\n"
    )
    table = read_export(write(tmp_path, "legacy.csv", text.encode()))
    assert (table.platform, table.header_rows) == ("qualtrics", 2)
    assert list(table.frame.columns) == ["ResponseID", "StartDate", "Rate/Session A", "Rate/Session B"]
    assert table.source_rows == [3]


def test_qualtrics_repeated_question_text_told_apart_by_name(tmp_path: Path) -> None:
    text = (
        "ResponseId,Q1,Q7\n"
        "Response ID,Comments,Comments\n"
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID7""}"\n'
        "R_1,a,b\n"
    )
    table = read_export(write(tmp_path, "dup.csv", text.encode()))
    assert list(table.frame.columns) == ["ResponseId", "Comments (Q1)", "Comments (Q7)"]
    assert table.names == ["ResponseId", "Q1", "Q7"]


def test_surveymonkey_without_metadata_columns(tmp_path: Path) -> None:
    text = "Country,Rate the sessions,\nResponse,VC1,VC2\nSenegal,Good,Fair\n"
    table = read_export(write(tmp_path, "sm_trimmed.csv", text.encode()))
    assert table.platform == "surveymonkey"
    assert list(table.frame.columns) == ["Country", "Rate the sessions/VC1", "Rate the sessions/VC2"]


def test_bracket_headers() -> None:
    from exchange_eval.ingest.common import bracket_to_path
    from exchange_eval.ingest.google_forms import normalise
    from exchange_eval.ingest.odk import normalise as odk_normalise

    assert bracket_to_path("G01Q02[SQ001]") == "G01Q02/SQ001"
    assert bracket_to_path("G01Q05[SQ001][SQ002]") == "G01Q05/SQ001/SQ002"
    assert bracket_to_path("Rate the session [Organisation]") == "Rate the session/Organisation"
    assert normalise("Évaluez [la session 1]") == "Évaluez/la session 1"
    assert normalise("No grid here") == "No grid here"
    assert odk_normalise("grp-sub-q/non-state") == "grp/sub/q/non-state"
