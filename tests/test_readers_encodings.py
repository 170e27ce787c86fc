"""Tables saved in the legacy encodings of public portals, and Excel's "Unicode text": the
encoding is detected (chardet among the Windows-125x, ISO-8859 and East Asian encodings), shown
and recorded, and a user can say it (``--encoding`` on the CLI, a select box on the Data page)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.errors import InputError
from core.intake import readers
from dashboard import keys, nav
from tests.conftest import square_grid
from tools.apptest import open_app

POLISH = ["Łódź", "Kraków", "Gdańsk", "Żory"]
# (codec, district names): short tables, as a city of a handful of districts saves them
TABLES = [
    ("cp1250", POLISH),
    ("cp1250", ["Praha", "Brno", "Plzeň", "České Budějovice", "Ústí nad Labem"]),
    ("cp1250", ["Győr", "Pécs", "Székesfehérvár", "Kecskemét"]),
    ("iso8859-2", ["Łódź", "Kraków", "Gdańsk", "Żory", "Śląsk", "Świętochłowice"]),
    ("cp1252", ["Élysée", "Besançon", "Nîmes", "Orléans"]),
    ("cp1252", ["München", "Köln", "Düsseldorf", "Nürnberg"]),
    ("cp1252", ["São Paulo", "Goiânia", "Maceió", "Belém"]),
    ("cp1251", ["Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург"]),
    ("cp1251", ["Київ", "Харків", "Львів", "Одеса"]),
    ("cp1253", ["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Ηράκλειο"]),
    ("cp1254", ["İstanbul", "Ankara", "İzmir", "Şanlıurfa", "Eskişehir"]),
    ("cp1257", ["Vilnius", "Kaunas", "Klaipėda", "Šiauliai", "Panevėžys"]),
    ("shift_jis", ["東京", "大阪", "札幌", "名古屋", "福岡"]),
    ("gb18030", ["北京", "上海", "广州", "深圳", "成都"]),
    ("big5", ["臺北", "高雄", "臺中", "新竹"]),
    ("euc_kr", ["서울", "부산", "대구", "인천"]),
]


def table_text(names: list[str], delimiter: str = ";") -> str:
    rows = [delimiter.join(["district_id", "population", "name"])]
    rows += [delimiter.join([str(i), str(1000 * i), n]) for i, n in enumerate(names, start=1)]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("codec, names", TABLES, ids=[f"{c}-{n[0]}" for c, n in TABLES])
def test_a_legacy_table_is_decoded_with_the_encoding_it_was_saved_in(codec, names):
    table = readers.read_table_bytes("a.csv", table_text(names).encode(codec))
    assert table["name"].tolist() == names
    assert table.attrs["encoding_from"] == "detected"
    assert readers.legacy_encoding("a.csv", table_text(names).encode(codec)) == \
        table.attrs["encoding"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("name", ["a.txt", "a.csv"])
def test_excel_unicode_text_utf16_with_a_mark_and_tabs_is_read(tmp_path, codec, name):
    """Excel's "Unicode text" export: UTF-16-LE with its byte-order mark, tab-delimited."""
    data = table_text(["Île", "École", "Łódź", "東京"], "\t").encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / name).write_bytes(data)
    table = readers.read_table(tmp_path / name)
    assert table["name"].tolist() == ["Île", "École", "Łódź", "東京"]
    assert table.attrs["delimiter"] == "\t" and table.attrs["encoding_from"] == "bom"
    assert readers.legacy_encoding(name, data) is None  # it says its encoding: no question


def test_the_users_encoding_decides_a_table_that_is_not_utf8():
    data = table_text(POLISH).encode("cp1250")
    table = readers.read_table_bytes("a.csv", data, encoding="Windows-1252")
    assert table.attrs["encoding"] == "cp1252" and table.attrs["encoding_from"] == "given"
    assert table["name"][0] == "£ódŸ"  # what the user asked for
    utf8 = readers.read_table_bytes("a.csv", table_text(POLISH).encode(), encoding="cp1250")
    assert utf8["name"].tolist() == POLISH and utf8.attrs["encoding"] == "utf-8"


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "hex", "undefined", "unicode_escape",
                                      "raw_unicode_escape", "palmos"])
def test_an_unknown_encoding_says_what_to_give(encoding):
    with pytest.raises(InputError, match="not a text encoding Python knows.*cp1250") as exc:
        readers.read_table_bytes("a.csv", table_text(POLISH).encode(), encoding=encoding)
    assert exc.value.setting == "encoding"


def test_an_encoding_that_cannot_decode_the_table_names_the_byte():
    with pytest.raises(InputError, match=r"not shift_jis text.*byte 0x") as exc:
        readers.read_table_bytes("a.csv", table_text(POLISH).encode("cp1250"),
                                 encoding="shift_jis")
    assert exc.value.setting == "encoding"


def test_a_tab_table_whose_rows_the_sniffer_rejects_keeps_its_tabs():
    assert readers._delimiter("id\tname\tpop\n1\tA\n2\tB\t3\t4\n") == "\t"
    assert readers._delimiter("id\n1\n") == ","


@pytest.fixture
def polish_files(tmp_path):
    boundaries = tmp_path / "b.geojson"
    square_grid(2).drop(columns="name").to_file(boundaries)
    attributes = tmp_path / "a.csv"
    attributes.write_bytes(table_text(POLISH).encode("cp1250"))
    return boundaries, attributes


def decoded_line(result) -> list[str]:
    return [s for s in json.loads(result.stdout)["lineage"] if "decoded as" in s]


def test_the_cli_detects_the_encoding_and_takes_another(polish_files):
    b, a = polish_files
    runner = CliRunner()
    detected = runner.invoke(app, ["validate", str(b), "-a", str(a), "--json"])
    assert detected.exit_code == 0, detected.output
    assert decoded_line(detected) == ["read: attributes decoded as cp1250, delimiter ';'"]
    given = runner.invoke(app, ["validate", str(b), "-a", str(a), "--encoding", "cp1252",
                                "--json"])
    assert decoded_line(given) == ["read: attributes decoded as cp1252, delimiter ';'"]
    saved = b.parent / "m.json"  # a mapping saved by the Data page carries the choice
    saved.write_text(json.dumps({"encoding": "iso8859-2"}))
    in_file = runner.invoke(app, ["validate", str(b), "-a", str(a), "--mapping", str(saved),
                                  "--json"])
    assert decoded_line(in_file) == ["read: attributes decoded as iso8859-2, delimiter ';'"]
    wrong = runner.invoke(app, ["summary", str(b), "-a", str(a), "--encoding", "klingon"])
    assert wrong.exit_code == 2
    assert "'klingon' is not a text encoding" in wrong.output
    assert "(with --encoding NAME)" in wrong.output and "Traceback" not in wrong.output


def test_the_data_page_shows_the_detected_encoding_and_takes_another(polish_files):
    b, a = polish_files
    at = open_app(nav.DATA)
    at.file_uploader(key=keys.DATA_BOUNDARIES).set_value((b.name, b.read_bytes(), "x"))
    at.file_uploader(key=keys.DATA_ATTRIBUTES).set_value((a.name, a.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    (box,) = [s for s in at.selectbox if str(s.key).startswith(keys.DATA_ENCODING)]
    assert box.value == "cp1250" and "cp1250 (Central European)" in box.options
    box.set_value("cp932").run()
    assert any("not cp932 text" in e.value and "in the Encoding box under the attribute table"
               in e.value for e in at.error)
    (box,) = [s for s in at.selectbox if str(s.key).startswith(keys.DATA_ENCODING)]
    box.set_value("cp1250").run()  # still there to choose again
    at.button(key=keys.DATA_USE).click().run()
    assert at.session_state[keys.CITY].districts["name"].tolist() == POLISH


def test_the_data_page_asks_nothing_of_a_utf8_table(polish_files, tmp_path):
    b, _ = polish_files
    at = open_app(nav.DATA)
    at.file_uploader(key=keys.DATA_BOUNDARIES).set_value((b.name, b.read_bytes(), "x"))
    at.file_uploader(key=keys.DATA_ATTRIBUTES).set_value(
        ("a.csv", table_text(POLISH).encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert not [s for s in at.selectbox if str(s.key).startswith(keys.DATA_ENCODING)]
