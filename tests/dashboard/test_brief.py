"""The briefing pack of a small demo database: its slides, the PPTX and PDF, the command and the Overview button."""

import datetime as dt
import io
import math
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu
from typer.testing import CliRunner

from dashboard import brief, charts, exports, pptx_charts, render, slides
from dashboard.i18n import LANGUAGES, translator
from tests.dashboard.support import run_page
from tests.dashboard.test_i18n import fields

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
TITLE_RU = "Алтайский край · 1–31 окт. 2026\u202fг."  # the pack's territory and period (Babel: a narrow space)
HEADINGS_RU = [
    "Алтайский край: работа с гражданами в социальных сетях",
    "Главные показатели",
    "Подписчики",
    "Рейтинг: районы",
    "Ответы гражданам",
    "Ответы в срок",
    "Госпаблики",
    "Тревоги",
    "Определения и источники данных",
]


def test_briefing_catalogs_have_the_same_keys() -> None:
    """Every message of exports and the pack exists in every language, with the same placeholders."""
    en = exports._briefing_catalog("en")
    for lang in LANGUAGES:
        messages = exports._briefing_catalog(lang)
        assert messages.keys() == en.keys(), (lang, set(messages) ^ set(en))
        assert all(fields(messages[key]) == fields(en[key]) for key in en), lang


# --- the pack of a small demo database ---


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Four months of the synthetic demo loaded by the real ETL into SQLite; the dashboard's queries read it."""
    import streamlit as st

    from etl.demo import write_demo
    from etl.ingest.load import load_paths
    from etl.settings import get_settings
    from etl.store.db import get_engine, make_engine

    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder / "csv", end=END, months=4)
    engine = make_engine(f"sqlite:///{folder / 'govpulse.db'}")
    assert all(r.ok for r in load_paths(engine, [folder / "csv"]))
    engine.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVPULSE_DATA_DIR", str(folder))
        mp.delenv("GOVPULSE_DATABASE_URL", raising=False)
        for clear in (get_settings.cache_clear, get_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear):
            clear()
        yield folder
    for clear in (get_settings.cache_clear, get_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear):
        clear()


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


@pytest.fixture(scope="module")
def pack(demo: Path) -> brief.Pack:
    return brief.collect("RU-ALT", START, END, "ru")


@pytest.fixture(scope="module")
def pictures(pack: brief.Pack, chromium: str) -> list[list[bytes]]:
    """The pack's charts rendered once for the PPTX and PDF tests."""
    return [brief.slide_pictures(slide, pack.stamp()) for slide in pack.slides]


def test_pack_has_the_slides_of_the_issue(pack: brief.Pack) -> None:
    """Title, KPIs with headlines, growth, district ranking, responsiveness and deadline, coverage, alerts,
    definitions — in that order, with about eight charts."""
    assert [s.heading for s in pack.slides] == HEADINGS_RU
    cover, kpis = pack.slides[0], pack.slides[1]
    assert cover.lines[0].startswith("Период: 1–31 окт. 2026")
    assert "Данные на 31 окт. 2026" in cover.lines[1]
    assert len(kpis.cards) == 8 and kpis.cards[0][0] == "Подписчики"
    # A region's median reply time is read from the histograms, marked as on the dashboard.
    median = dict((c[0], c[1]) for c in kpis.cards)["Медианное время ответа"]
    assert median.startswith("≈ ") and median[2].isdigit(), median
    assert "≈\u00a0" in kpis.lines[1] and median.replace(" ", "\u00a0") in kpis.lines[1], kpis.lines  # and told so
    assert kpis.lines[0].startswith("Подписчики выросли на ") or kpis.lines[0].startswith("Подписчики сократились на ")
    assert "доля ответов" in kpis.lines[0]
    keys = [c.key for s in pack.slides for c in s.charts]
    assert keys == [
        "followers",
        "net_new",
        "ranking",
        "movers",
        "response_rate",
        "backlog",
        "within_deadline",
        "reply_hours",
        "coverage",
    ]
    assert pack.data_date == END


def test_a_pack_of_the_datas_first_month_compares_with_nothing(demo: Path) -> None:
    """The data begin inside the previous period: the cover says the period alone and why nothing is compared, no
    card has a change and no headline tells one but the period's own growth; the October pack (a covered September)
    compares."""
    from dashboard import queries_posts
    from dashboard.filters import Period, Scope

    first = queries_posts.first_day(Scope("RU-ALT", "region_code"))
    assert first is not None
    period = Period(first + dt.timedelta(days=10), first + dt.timedelta(days=39))
    tr = exports.translator("en")
    pack = brief.collect("RU-ALT", period.start, period.end, "en")
    cover, kpis = pack.slides[0], pack.slides[1]
    assert pack.before is None and cover.lines[0] == tr("brief.period_alone", span=tr.span(*period))
    assert cover.lines[1] == tr("kpi.no_before", span=tr.span(*period.previous()), first=tr.date(first))
    assert len(kpis.cards) == 8 and not any(change for _, _, change, _ in kpis.cards), kpis.cards
    # Followers are told by their growth within the period; every other figure by its value alone.
    told = " ".join(kpis.lines).split(";", 1)[1]
    assert not any(word in told for word in ("grew", "fell", "rose", "unchanged")), kpis.lines
    october = brief.collect("RU-ALT", START, END, "en")
    assert october.before == Period(START, END).previous() and "compared with" in october.slides[0].lines[0]
    assert any(change for _, _, change, _ in october.slides[1].cards)


def test_unknown_territory_is_an_error(demo: Path) -> None:
    with pytest.raises(brief.BriefError, match="XX-NOPE"):
        brief.collect("XX-NOPE", START, END, "en")


def test_pptx_has_16_9_slides_native_charts_and_cyrillic(pack: brief.Pack, pictures: list[list[bytes]]) -> None:
    """The PPTX opens with python-pptx: 16:9, one slide per page of the pack, the nine charts as native charts (no
    pictures), Russian text, and its title, author and date."""
    deck = Presentation(io.BytesIO(brief.write(pack, "pptx", pictures)))
    assert round(Emu(deck.slide_width).inches / Emu(deck.slide_height).inches, 2) == round(16 / 9, 2)
    assert len(deck.slides) == len(HEADINGS_RU)
    shapes = [shape for slide in deck.slides for shape in slide.shapes]
    assert sum(shape.has_chart for shape in shapes) == 9
    assert not any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in shapes)
    props = deck.core_properties
    assert props.title == TITLE_RU and props.author == "govpulse"
    assert props.subject == HEADINGS_RU[0] and props.language == "ru"
    assert props.created is not None and abs(props.created - dt.datetime.now(dt.UTC).replace(tzinfo=None)).days == 0
    text = "\n".join(shape.text_frame.text for shape in shapes if shape.has_text_frame)
    for heading in HEADINGS_RU:
        assert heading in text
    assert "Подписчики выросли на " in text or "Подписчики сократились на " in text
    assert "Источники: CSV-выгрузки" in text
    # Native charts carry no stamp: every page's footer says how fresh the figures are.
    footers = [s.text_frame.text for page in deck.slides for s in page.shapes if s.has_text_frame
               and s.text_frame.text.startswith("govpulse · ")]  # fmt: skip
    assert len(footers) == len(HEADINGS_RU) - 1 and all("Данные на 31 окт. 2026 · " in f for f in footers)


def test_the_ranking_names_each_place_with_its_rank(pack: brief.Pack) -> None:
    """The ranking's bars read "1. Name" from the top; a long ranking shows its best and worst with a gap between."""
    chart = next(c.fig for s in pack.slides for c in s.charts if c.key == "ranking")
    names = list(chart.data[0].y)[::-1]
    ranks = [int(n.split(".", 1)[0]) for n in names if n != "⋯"]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    cut = names.index("⋯")  # the region has more districts than the chart's fifteen bars
    assert ranks[cut] - ranks[cut - 1] > 1 and chart.data[0].x[::-1][cut] is None


def _values(values: object) -> list[float | None]:
    """A series' values with gaps as None (plotly's NaN, PowerPoint's empty points)."""
    out: list[float | None] = []
    for v in values:  # type: ignore[attr-defined]
        out.append(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
    return out


def test_pptx_charts_carry_the_figures_data(pack: brief.Pack) -> None:
    """Each chart of the PPTX is a PowerPoint chart holding its figure's title, series names, values and categories
    (dates written in Russian), in the trace's colour; no picture is needed for them."""
    deck = Presentation(io.BytesIO(brief.write(pack, "pptx", [[b""] * len(s.charts) for s in pack.slides])))
    tr = translator("ru")
    for made, page in zip(pack.slides, deck.slides, strict=True):
        drawn = [shape.chart for shape in page.shapes if shape.has_chart]
        assert len(drawn) == len(made.charts), made.heading
        for chart, native in zip(made.charts, drawn, strict=True):
            fig, plot = chart.fig, native.plots[0]
            assert native.chart_title.text_frame.paragraphs[0].text == pptx_charts.plain(fig.layout.title.text)
            traces = list(fig.data)
            series = list(plot.series)[: len(traces)]
            names = [pptx_charts.plain(t.name) for t in traces if t.name]
            assert [s.name for s in series][: len(names)] == names, chart.key
            assert native.has_legend == (len(traces) > 1 or len(plot.series) > len(traces)), chart.key
            if len(traces) == 1:
                trace = traces[0]
                horizontal = trace.type == "funnel" or trace.orientation == "h"
                cats, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
                assert _values(series[0].values) == pytest.approx(_values(values), nan_ok=True), chart.key
                assert len(plot.categories) == len(cats), chart.key
            else:
                days = {str(x)[:10] for t in traces for x in t.x}
                assert len(plot.categories) == len(days), chart.key
                first = sorted(days)[0]
                assert plot.categories[0] == tr.date(dt.date.fromisoformat(first)), chart.key
    by_key = {c.key: c.fig for s in pack.slides for c in s.charts}
    rate = next(
        s.chart for p in deck.slides for s in p.shapes if s.has_chart and "ответ" in s.chart.chart_title.text_frame.text
    )
    trace, target = by_key["response_rate"].data[0], by_key["response_rate"].layout.annotations[0].text
    # The target line is a shape of the figure, not a trace: a dashed constant series of the chart.
    assert [s.name for s in rate.plots[0].series] == [trace.name, target] and "80" in target
    assert _values(rate.plots[0].series[0].values) == pytest.approx(_values(trace.y), nan_ok=True)
    assert _values(rate.plots[0].series[1].values) == [80.0] * len(trace.y)
    assert rate.value_axis.maximum_scale == 105 and rate.value_axis.minimum_scale == 0
    # No colour of its own: the theme's first, as in the dashboard and the PDF.
    assert f"#{rate.plots[0].series[0].format.line.color.rgb}".lower() == charts.PALETTE[0]
    followers = next(s.chart for s in deck.slides[2].shapes if s.has_chart)
    colours = {pptx_charts.plain(t.name): t.line.color for t in by_key["followers"].data}
    for drawn in followers.plots[0].series:
        assert f"#{drawn.format.line.color.rgb}".lower() == colours[drawn.name].lower()
    # Bars coloured one by one keep their colours: growth green, drops red.
    movers = by_key["movers"].data[0]
    native = next(
        s.chart
        for p in deck.slides
        for s in p.shapes
        if s.has_chart
        and s.chart.chart_title.text_frame.text.startswith(pptx_charts.plain(by_key["movers"].layout.title.text))
    )
    drawn = native.plots[0].series[0]
    found = [f"#{drawn.points[i].format.fill.fore_color.rgb}".lower() for i in range(len(movers.y))]
    assert found == [c.lower() for c in movers.marker.color]


def test_pptx_renders_no_pictures(pack: brief.Pack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every chart of the pack maps to a native chart, so the PPTX is written without the browser."""

    def no_browser(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the PPTX rendered a picture")

    monkeypatch.setattr(brief, "render", no_browser)
    deck = Presentation(io.BytesIO(brief.write(pack, "pptx")))
    assert sum(shape.has_chart for page in deck.slides for shape in page.shapes) == 9


def test_a_figure_without_native_chart_stays_a_picture() -> None:
    """Bars with markers on a second axis have no native counterpart: the PPTX places their picture instead."""
    import pandas as pd

    tr = translator("en")
    df = pd.DataFrame({"post_type": ["text", "photo"], "posts": [3, 5], "per_post": [1.5, 2.0]})
    mixed = charts.posts_by_type(df, tr, "note")
    assert pptx_charts.plan(mixed) is None
    png = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(png, "PNG")
    page = slides.Slide("Posts", charts=[slides.Chart("posts", mixed)])
    deck = Presentation(io.BytesIO(slides.write_pptx([page], [[png.getvalue()]], str, slides.Info("t"))))
    shapes = list(deck.slides[0].shapes)
    assert not any(s.has_chart for s in shapes)
    assert sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in shapes) == 1


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo missing: apt-get install poppler-utils")
def test_pdf_has_title_author_subject_and_date(pack: brief.Pack, tmp_path: Path) -> None:
    """The PDF's properties: the pack's territory and period as title, govpulse as author, the subject, today's date."""
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(brief.write(pack, "pdf", [[_png()] * len(s.charts) for s in pack.slides]))
    out = subprocess.run(["pdfinfo", "-isodates", str(pdf)], capture_output=True, text=True, check=True).stdout
    info = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}
    assert info["Title"] == TITLE_RU
    assert info["Author"] == "govpulse"
    assert info["Subject"] == HEADINGS_RU[0]
    created = dt.datetime.fromisoformat(info["CreationDate"])
    assert abs(created - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "#1f6f8b").save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing: apt-get install poppler-utils")
def test_pdf_pages_render_and_fonts_are_embedded(pack: brief.Pack, pictures: list[list[bytes]], tmp_path: Path) -> None:
    """Every PDF page renders (pdftoppm) to a picture that is not blank, and every font is embedded."""
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(brief.write(pack, "pdf", pictures))
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(HEADINGS_RU)
    for page in pages:
        image = Image.open(page).convert("L")
        assert image.width / image.height == pytest.approx(16 / 9, abs=0.02)
        assert ImageStat.Stat(image).stddev[0] > 10, f"{page.name} looks blank"
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts
        assert any("DejaVuSans" in row for row in rows)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Главные показатели" in text


def test_command_writes_a_pack(demo: Path, chromium: str, tmp_path: Path) -> None:
    """`govpulse brief` writes the PDF of a district in English; a bad territory exits 1 with a message."""
    from dashboard.cli import app

    runner = CliRunner()
    help_text = runner.invoke(app, ["brief", "--help"])
    assert help_text.exit_code == 0 and "--territory" in help_text.output
    out = tmp_path / "weekly" / "brief.pdf"
    args = ["brief", "--territory", "RU-ALT", "--from", "2026-10-25", "--to", "31.10.2026", "--lang", "en"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(
        app, ["brief", "--territory", "XX", "--from", "2026-10-01", "--to", "2026-10-31", "--out", "x.pptx"]
    )
    assert bad.exit_code == 1
    assert "XX" in bad.output


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing: apt-get install poppler-utils")
def test_pack_in_kazakh(demo: Path, chromium: str, tmp_path: Path) -> None:
    """`govpulse brief --lang kk` writes a Kazakh pack of a Kazakh region: its Kazakh name, Kazakh headings, its
    pages verified (not "госметка"), numbers written the Kazakh way."""
    from dashboard.cli import app

    out = tmp_path / "kk.pdf"
    args = ["brief", "--territory", "KZ-KUS", "--from", "2026-10-01", "--to", "2026-10-31", "--lang", "kk"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(lines.split())  # wrapped lines joined
    for words in ("Қостанай облысы: әлеуметтік желілерде", "Негізгі көрсеткіштер", "Ресми парақшалар", "Кезең: "):
        assert words in text, words
    assert "госметк" not in text.lower() and "Госпаблик" not in text
    pack = brief.collect("KZ-KUS", START, END, "kk")
    assert pack.slides[0].lines[0].startswith("Кезең: 2026\u202fж. 1–31 қаз.")  # Babel: a narrow no-break space
    assert pack.slides[1].cards[0][0] == "Жазылушылар"


def test_overview_button_offers_both_formats(demo: Path, chromium: str, tmp_path: Path) -> None:
    """The helper the Overview calls shows the pack's PPTX and PDF downloads; the pack is built only on click."""
    at = run_page(
        tmp_path,
        "import datetime as dt",
        "from dashboard.brief import brief_buttons",
        "brief_buttons('RU-ALT', dt.date(2026, 10, 1), dt.date(2026, 10, 31), 'ru')",
    )
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Слайды (PPTX)", "PDF"]


def test_a_weeks_pack_draws_its_trend_by_day(demo: Path) -> None:
    """A region's week reads by day (seven points, not one or two weekly ones); its month stays by week."""
    week = brief.collect("KZ-KUS", END - dt.timedelta(days=6), END, "en")
    [rates] = [c.fig for s in week.slides for c in s.charts if c.key == "response_rate"]
    assert rates.layout.title.text == "Response rate by day" and len(rates.data[0].x) == 7
    month = brief.collect("KZ-KUS", START, END, "en")
    [rates] = [c.fig for s in month.slides for c in s.charts if c.key == "response_rate"]
    assert rates.layout.title.text == "Response rate by week"


def test_the_administrations_logo_and_colour(pack: brief.Pack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a logo and a colour in the settings, the cover and every page carry the logo in its proportions and the
    page bars take the colour, in the PPTX and the PDF; a file that is no picture is a clear error."""
    from etl.settings import get_settings

    logo = tmp_path / "gerb.png"
    Image.new("RGB", (300, 100), "#c8102e").save(logo, "PNG")
    monkeypatch.setenv("GOVPULSE_BRIEF_LOGO", str(logo))
    monkeypatch.setenv("GOVPULSE_BRIEF_COLOUR", "#8a1538")
    get_settings.cache_clear()
    blank = [[_png()] * len(s.charts) for s in pack.slides]
    deck = Presentation(io.BytesIO(brief.write(pack, "pptx", blank)))
    for page in deck.slides:
        logos = [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(logos) == 1 and logos[0].width / logos[0].height == pytest.approx(3, abs=0.01)
        bars = [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and s.top == 0]
        assert str(bars[0].fill.fore_color.rgb) == "8A1538"
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(brief.write(pack, "pdf", blank))
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")], check=True)
    page = Image.open(next(tmp_path.glob("p-*.png"))).convert("RGB")

    def near(pixel: tuple[int, int], colour: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 3 for a, b in zip(page.getpixel(pixel), colour, strict=True))  # type: ignore[arg-type]

    assert near((page.width // 2, 1), (0x8A, 0x15, 0x38))  # the page's top bar
    assert near((page.width - 25, 20), (0xC8, 0x10, 0x2E))  # the logo in the top right corner
    logo.write_text("not a picture", encoding="utf-8")
    with pytest.raises(brief.BriefError, match=r"gerb\.png is not a PNG or JPEG picture"):
        brief.write(pack, "pptx", blank)
    get_settings.cache_clear()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing: apt-get install poppler-utils")
def test_the_screenshot_script_draws_the_readme_slide(demo: Path, chromium: str, tmp_path: Path) -> None:
    """scripts/screenshots.py makes the README's slide: the key-figures page of a pack as a 1280 × 720 picture."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
    import screenshots

    slide = Image.open(screenshots.brief_slide(demo, tmp_path))
    assert slide.size == (1280, 720)
    assert max(ImageStat.Stat(slide.convert("L")).stddev) > 20  # cards and text, not a blank page
