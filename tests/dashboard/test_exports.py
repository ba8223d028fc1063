"""Exports: charts as stamped PNG/SVG through the system Chromium, tables as formula-safe CSV and XLSX."""

import csv
import datetime as dt
import io
import os
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from dashboard import exports, render, ui
from dashboard.exports import Stamp
from etl.metrics.kpis import FORMULA_START
from tests.dashboard.support import run_page

OCT = Stamp("ru", dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 10, 30))
HOSTILE = ['=HYPERLINK("http://x")', "+7 701 000", "-1+1", "@SUM(A1)", "\tTAB", "\rCR", "Аким района", "ok=fine"]


@pytest.fixture(scope="module")
def chromium() -> str:
    """The system Chromium kaleido drives; skipped where there is none, except in CI, where it must be."""
    path = render.chromium_path()
    if path is None:
        message = "no Chromium: apt-get install chromium (kaleido renders chart pictures with it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium: {message}")
        pytest.skip(message)
    return path


def table() -> pd.DataFrame:
    """A table such as the dashboard shows: names from the internet, counts, rates with gaps, dates."""
    return pd.DataFrame(
        {
            "Территория": ["Карасуский район", "=cmd|' /C calc'!A0", "-Рудный", "@handle"],
            "Подписчики": np.array([84_300, 1_200, 0, 15], dtype="int64"),
            "Доля ответов, %": [71.4, np.nan, 100.0, 0.0],
            "Изменение": [-6, 3, 0, -1],
            "День": pd.to_datetime(["2026-10-31", "2026-10-30", None, "2026-10-01"]),
        }
    )


def test_neutralise_prefixes_formula_starts_only() -> None:
    """Text starting with =, +, -, @, tab or CR gets a leading quote; other text and numbers are left alone."""
    assert [exports.neutralise(v) for v in HOSTILE] == [
        '\'=HYPERLINK("http://x")',
        "'+7 701 000",
        "'-1+1",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "Аким района",
        "ok=fine",
    ]
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(-0.5) == -0.5
    assert exports.neutralise(None) is None


def test_csv_has_bom_cyrillic_and_safe_cells() -> None:
    """The CSV is UTF-8 with a BOM, keeps Cyrillic, neutralises text cells and leaves negative numbers as numbers."""
    data = exports.to_csv(table())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == 'Территория,Подписчики,"Доля ответов, %",Изменение,День'
    assert lines[1].startswith("Карасуский район,84300,71.4,-6,2026-10-31")
    assert lines[2].startswith("'=cmd|' /C calc'!A0,1200,,3,")
    assert lines[3].startswith("'-Рудный,0,100.0,0,")
    assert lines[4].startswith("'@handle,15,0.0,-1,")


def test_xlsx_reads_back_with_types_and_safe_text() -> None:
    """The workbook keeps numbers as numbers and dates as dates, empties empty, text safe, header frozen and sized."""
    wb = load_workbook(io.BytesIO(exports.to_xlsx(table(), "Районы")))
    ws = wb["Районы"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Территория", "Подписчики", "Доля ответов, %", "Изменение", "День")
    assert rows[1] == ("Карасуский район", 84300, 71.4, -6, dt.datetime(2026, 10, 31))
    assert rows[2][:4] == ("'=cmd|' /C calc'!A0", 1200, None, 3)
    assert rows[3][0] == "'-Рудный" and rows[3][4] is None
    assert rows[4][0] == "'@handle"
    assert all(ws.cell(r, c).data_type == "n" for r in range(2, 6) for c in (2, 4))
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 6))
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws.column_dimensions["A"].width >= len("Карасуский район")
    assert ws["E2"].number_format == "yyyy-mm-dd"


def test_xlsx_neutralises_every_hostile_start() -> None:
    """No cell of the workbook is a formula, whatever the names and handles contain."""
    wb = load_workbook(io.BytesIO(exports.to_xlsx(pd.DataFrame({"=header": HOSTILE, "n": range(len(HOSTILE))}))))
    ws = wb.active
    assert ws is not None
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert ws["A1"].value == "'=header"
    assert [ws.cell(r, 1).value for r in range(2, 10)] == [exports.neutralise(v) for v in HOSTILE]


def figure() -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=[1, 2, 3], y=[1, 3, 2], name="Карасуский район")
    fig.add_scatter(x=[1, 2, 3], y=[2, 2, 1], name="Рудный")
    fig.update_layout(title={"text": "Подписчики", "subtitle": {"text": "рядов: 2"}}, height=400)
    return fig


def test_stamp_adds_period_data_date_and_source_in_the_language() -> None:
    """A stamped chart keeps its title, shows the period and ends with the data date and the source."""
    ru = exports.stamp(figure(), OCT)
    assert ru.layout.title.text == "Подписчики"
    assert ru.layout.title.subtitle.text.startswith("1–31 окт. 2026")
    assert ru.layout.title.subtitle.text.endswith("рядов: 2")
    footer = ru.layout.annotations[-1].text
    assert footer.startswith("Данные на 30 окт. 2026") and footer.endswith("Источник: govpulse")
    en = exports.stamp(go.Figure(), Stamp("en", OCT.start, OCT.end, None, title="Followers"))
    assert en.layout.title.text == "Followers"
    assert en.layout.title.subtitle.text == "Oct 1\u2009–\u200931, 2026"
    assert en.layout.annotations[-1].text == "Source: govpulse"


def test_stamp_leaves_the_original_figure_alone() -> None:
    """The dashboard's own figure is not changed by an export."""
    fig = figure()
    exports.stamp(fig, OCT)
    assert not fig.layout.annotations and fig.layout.title.subtitle.text == "рядов: 2"


def test_no_browser_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Chromium a picture export fails with the install command, in both languages' messages."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert render.chromium_path() is None
    with pytest.raises(render.ExportUnavailable, match="apt-get install chromium"):
        render._Renderer().start()
    assert "apt-get install chromium" in exports.translator("ru")("export.no_browser")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_is_twice_the_size(chromium: str) -> None:
    """The PNG is rendered at 2× the chart's size by the one kaleido server of the process."""
    assert png_size(exports.to_png(figure(), OCT, width=600)) == (1200, 800)
    assert render._RENDERER.ready


def test_svg_carries_title_period_date_and_source(chromium: str) -> None:
    """The SVG has the stamp as text, Cyrillic included."""
    svg = exports.to_svg(figure(), OCT, width=600).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    for text in ("Подписчики", "окт. 2026", "Данные на 30 окт. 2026", "Источник: govpulse", "Карасуский район"):
        assert text in svg


def test_a_picture_keeps_every_category_label(chromium: str) -> None:
    """Forty districts on a horizontal bar chart: every name is in the picture, which grows to fit them; a chart of
    days keeps its date axis as plotly chose it."""
    names = [f"Район № {i}" for i in range(1, 41)]
    fig = go.Figure(go.Bar(y=names, x=list(range(40)), orientation="h"))
    fig.update_layout(height=450)
    svg = exports.to_svg(fig, OCT, width=600).decode("utf-8")
    assert all(f">{name}<" in svg for name in names)
    assert exports.stamp(fig, OCT).layout.height >= 40 * exports.ROW_PX
    days = go.Figure(go.Bar(x=[f"2026-10-{d:02d}" for d in range(1, 32)], y=list(range(31))))
    assert exports.stamp(days, OCT).layout.xaxis.dtick is None


def buttons_page(tmp_path: Path) -> AppTest:
    """A page with export buttons under a chart and a table, run once."""
    return run_page(
        tmp_path,
        "import datetime as dt",
        "import pandas as pd",
        "import plotly.graph_objects as go",
        "from dashboard.exports import Stamp, export_buttons",
        "meta = Stamp('en', dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 10, 31))",
        "export_buttons(go.Figure(), pd.DataFrame({'a': [1]}), meta, 'followers')",
        "export_buttons(None, pd.DataFrame({'b': [2]}), meta, 'ranking')",
    )


def test_export_buttons_under_a_chart_and_a_table(tmp_path: Path, chromium: str) -> None:
    """The helper pages call puts PNG, SVG, CSV and Excel downloads in one row; pictures are made only on click."""
    at = buttons_page(tmp_path)
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["PNG", "SVG", "CSV", "Excel", "CSV", "Excel"]


def test_export_buttons_without_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Chromium the page says what to install instead of offering pictures; tables still download."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    at = buttons_page(tmp_path)
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel", "CSV", "Excel"]
    assert "apt-get install chromium" in at.caption[0].value


def test_a_long_table_shows_its_first_rows_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_ROWS a table shows the first rows with a note (a country's silent pages run to tens of thousands)."""
    # The page runs in this process: the limit is lowered here, and restored for the tests after this one.
    monkeypatch.setattr(ui, "MAX_ROWS", 5)
    at = run_page(
        tmp_path,
        "import pandas as pd",
        "from dashboard import ui",
        "from dashboard.i18n import Tr",
        "ui.table(pd.DataFrame({'n': range(12)}), {'n': ('col.inquiries', 'int')}, Tr('en'))",
        "ui.table(pd.DataFrame({'n': range(5)}), {'n': ('col.inquiries', 'int')}, Tr('en'))",
    )
    assert not at.exception
    assert [len(frame.value) for frame in at.dataframe] == [5, 5]
    assert [c.value for c in at.caption] == ["Showing the first 5 of 12 rows; the download has them all."]


def test_csv_opens_in_columns_in_a_russian_excel() -> None:
    """In Russian and Kazakh a CSV has `;` between cells and decimal commas; in English commas and points."""
    ru = exports.to_csv(table(), "ru").decode("utf-8-sig").splitlines()
    assert ru[0] == "Территория;Подписчики;Доля ответов, %;Изменение;День"
    assert ru[1].startswith("Карасуский район;84300;71,4;-6;2026-10-31")
    assert exports.to_csv(table(), "en").decode("utf-8-sig").splitlines()[1].startswith("Карасуский район,84300,71.4")


def test_file_names_say_what_where_and_when() -> None:
    """A picture or table is named by its title, the territory and the period, in Latin letters."""
    month = Stamp("ru", dt.date(2026, 10, 1), dt.date(2026, 10, 31), place="Алтайский край")
    assert month.file_name("Прирост подписчиков", "png") == "prirost-podpischikov_altaiskii-krai_2026-10.png"
    days = Stamp("kk", dt.date(2026, 10, 5), dt.date(2026, 11, 3), place="Қарасу ауданы")
    assert days.file_name("Ответы гражданам", "csv") == "otvety-grazhdanam_qarasu-audany_2026-10-05_2026-11-03.csv"
    assert Stamp("en", dt.date(2026, 2, 1), dt.date(2026, 2, 28)).file_name("", "svg") == "govpulse_2026-02.svg"


def hostile_table() -> pd.DataFrame:
    """Names from the internet in every kind of text column pandas has (plain, object, categorical), beside numbers."""
    return pd.DataFrame(
        {
            "=header": pd.array(HOSTILE, dtype="str"),
            "object": pd.Series(HOSTILE, dtype=object),
            "category": pd.Categorical(HOSTILE),
            "n": range(-4, len(HOSTILE) - 4),
        }
    )


def test_every_table_export_neutralises_text_of_every_kind() -> None:
    """CSV (both dialects) and Excel: each text cell and header that a spreadsheet would run gets its quote, whatever
    the column's type; numbers stay numbers."""
    safe = [exports.neutralise(v) for v in HOSTILE]
    for lang, sep in (("en", ","), ("ru", ";")):
        rows = list(
            csv.reader(
                io.StringIO(exports.to_csv(hostile_table(), lang).decode("utf-8-sig"), newline=""), delimiter=sep
            )
        )
        assert rows[0] == ["'=header", "object", "category", "n"]
        assert [r[:3] for r in rows[1:]] == [[v, v, v] for v in safe], lang
        assert [r[3] for r in rows[1:]] == [str(n) for n in range(-4, len(HOSTILE) - 4)]
    ws = load_workbook(io.BytesIO(exports.to_xlsx(hostile_table()))).active
    assert ws is not None
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=3)] == [[v, v, v] for v in safe]
    assert [ws.cell(r, 4).value for r in range(2, 2 + len(HOSTILE))] == list(range(-4, len(HOSTILE) - 4))


def test_native_charts_of_the_pack_carry_no_formula() -> None:
    """A briefing pack's chart keeps its data in an Excel workbook (PowerPoint's Edit Data): names that would run there
    are neutralised in it, while the slide shows them as they are."""
    from pptx import Presentation
    from pptx.util import Inches

    from dashboard import pptx_charts

    names = [*HOSTILE[:4], *HOSTILE[6:]]
    fig = go.Figure(go.Bar(x=list(range(1, 7)), y=names, orientation="h", name="=SUM(A1:A9)"))
    fig.update_layout(title={"text": "Ranking"})
    deck = Presentation()
    page = deck.slides.add_slide(deck.slide_layouts[6])
    assert pptx_charts.add_chart(page.shapes, 0, 0, Inches(8), Inches(5), fig)
    chart = next(s for s in page.shapes if s.has_chart).chart
    assert list(chart.plots[0].categories) == names
    book = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'=SUM(A1:A9)" in texts and set(map(exports.neutralise, names)) <= set(texts)
    assert not [t for t in texts if t.startswith(FORMULA_START)]
