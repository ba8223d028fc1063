"""The briefing pack's pages: one 16:9 layout, written as PPTX (python-pptx, native charts) or PDF (reportlab, DejaVu
embedded, chart pictures)."""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

import plotly.graph_objects as go

W, H = 13.333, 7.5  # inches: PowerPoint's 16:9
MARGIN = 0.5
TOP = 1.25  # content starts below the heading
BOTTOM = 6.95  # content ends above the footer
GAP = 0.25
PX_PER_IN = 100  # chart pictures are laid out at this many CSS pixels per inch, then rendered at 2×
INK, MUTED, ACCENT, CARD = "#1f2933", "#52606d", "#1f6f8b", "#f1f4f8"
# A change's colour by what it means: better, worse, or no change (as the dashboard's cards colour it).
TONES = {"good": "#1e7b34", "bad": "#b42318", "": MUTED}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PPTX_FONT = "Arial"  # PowerPoint and LibreOffice both have it (or a metric twin) with Cyrillic


@dataclass
class Chart:
    """A chart of the pack: its key (for file names) and the figure."""

    key: str
    fig: go.Figure


@dataclass
class Slide:
    """One page of the pack in backend-neutral terms: heading, paragraphs, KPI cards, charts, bullet lists."""

    heading: str
    lines: list[str] = field(default_factory=list)
    cards: list[tuple[str, str, str, str]] = field(default_factory=list)  # label, value, change, tone
    charts: list[Chart] = field(default_factory=list)
    bullets: list[tuple[str, list[str]]] = field(default_factory=list)
    cover: bool = False


@dataclass(frozen=True)
class Info:
    """The document's properties: title (territory and period), subject, language and how its charts write dates."""

    title: str
    subject: str = ""
    lang: str = ""
    day: Callable[[dt.date], str] = dt.date.isoformat
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    accent: str = ACCENT  # the administration's colour: bars of the pages and list headings
    logo: bytes | None = None  # PNG or JPEG on the cover and in each page's corner


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in inches from the top left corner."""

    x: float
    y: float
    w: float
    h: float

    def pixels(self) -> tuple[int, int]:
        """The CSS pixel size a chart is rendered at to fill this box."""
        return round(self.w * PX_PER_IN), round(self.h * PX_PER_IN)


def chart_boxes(slide: Slide) -> list[Box]:
    """Where a slide's charts go: two side by side, or one beside a column of text, or one across the page."""
    height = BOTTOM - TOP
    width = W - 2 * MARGIN
    if len(slide.charts) >= 2:
        half = (width - GAP) / 2
        return [Box(MARGIN + i * (half + GAP), TOP, half, height) for i in range(len(slide.charts[:2]))]
    if slide.charts and slide.lines:
        return [Box(MARGIN, TOP, width * 0.62, height)]
    return [Box(MARGIN, TOP, width, height)] if slide.charts else []


class Canvas(Protocol):
    """What a backend draws: text boxes, filled rectangles, pictures and charts, in inches."""

    def text(self, box: Box, paragraphs: list[str], size: float, color: str = INK, bold: bool = False) -> None: ...

    def rect(self, box: Box, fill: str) -> None: ...

    def picture(self, box: Box, png: bytes) -> None: ...

    def chart(self, box: Box, chart: Chart, png: bytes) -> None: ...


def draw(slide: Slide, canvas: Canvas, pictures: list[bytes], footer: str, info: Info) -> None:
    """Lay one slide out on a canvas (the same layout for PPTX and PDF)."""
    if slide.cover:
        canvas.rect(Box(0, 0, 0.28, H), info.accent)
        if info.logo:
            canvas.picture(logo_box(info.logo, Box(W - MARGIN - 2.4, 0.6, 2.4, 1.2)), info.logo)
        canvas.text(Box(1.0, 2.0, W - 2.0, 1.9), [slide.heading], 34, bold=True)
        canvas.text(Box(1.0, 4.1, W - 2.0, 2.2), slide.lines, 17, MUTED)
        return
    canvas.rect(Box(0, 0, W, 0.12), info.accent)
    heading_w = W - 2 * MARGIN
    if info.logo:
        corner = logo_box(info.logo, Box(W - MARGIN - 1.4, 0.3, 1.4, 0.7))
        canvas.picture(corner, info.logo)
        heading_w = corner.x - MARGIN - GAP
    canvas.text(Box(MARGIN, 0.35, heading_w, 0.8), [slide.heading], 26, bold=True)
    canvas.text(Box(MARGIN, 7.05, W - 2 * MARGIN, 0.35), [footer], 9, MUTED)
    boxes = chart_boxes(slide)
    for box, chart, png in zip(boxes, slide.charts, pictures, strict=False):
        canvas.chart(box, chart, png)
    if slide.cards:
        _cards(slide.cards, canvas)
        canvas.text(Box(MARGIN, 4.35, W - 2 * MARGIN, 2.5), [f"• {line}" for line in slide.lines], 16)
    elif slide.bullets:
        _bullets(slide.bullets, canvas, info.accent)
    elif boxes and slide.lines:
        right = boxes[0].x + boxes[0].w + GAP
        canvas.text(Box(right, TOP + 0.4, W - MARGIN - right, BOTTOM - TOP - 0.4), slide.lines, 16)
    elif slide.lines:
        size = 13 if len(slide.lines) > 5 else 16
        canvas.text(Box(MARGIN, TOP, W - 2 * MARGIN, BOTTOM - TOP), slide.lines, size)


def _cards(cards: list[tuple[str, str, str, str]], canvas: Canvas) -> None:
    """KPI cards in rows of four: label, value, change against the previous period coloured by its tone."""
    width = (W - 2 * MARGIN - 3 * GAP) / 4
    for i, (label, value, change, tone) in enumerate(cards[:8]):
        box = Box(MARGIN + (i % 4) * (width + GAP), TOP + (i // 4) * 1.5, width, 1.3)
        canvas.rect(box, CARD)
        canvas.text(Box(box.x + 0.15, box.y + 0.1, box.w - 0.3, 0.4), [label], 11, MUTED)
        canvas.text(Box(box.x + 0.15, box.y + 0.42, box.w - 0.3, 0.5), [value], 22, bold=True)
        canvas.text(Box(box.x + 0.15, box.y + 0.92, box.w - 0.3, 0.3), [change], 11, TONES.get(tone, MUTED))


def _bullets(sections: list[tuple[str, list[str]]], canvas: Canvas, accent: str) -> None:
    """Up to three lists side by side, each with its heading."""
    shown = sections[:3]
    width = (W - 2 * MARGIN - GAP * (len(shown) - 1)) / len(shown)
    for i, (head, items) in enumerate(shown):
        x = MARGIN + i * (width + GAP)
        canvas.text(Box(x, TOP, width, 0.5), [head], 15, accent, bold=True)
        canvas.text(Box(x, TOP + 0.55, width, BOTTOM - TOP - 0.55), [f"• {item}" for item in items], 10.5)


def logo_box(logo: bytes, room: Box) -> Box:
    """The logo's place in `room`: as large as fits with its own proportions, aligned right and top."""
    from PIL import Image

    with Image.open(io.BytesIO(logo)) as image:
        width, height = image.size
    scale = min(room.w / width, room.h / height)
    w, h = width * scale, height * scale
    return Box(room.x + room.w - w, room.y, w, h)


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _PptxCanvas:
    def __init__(self, slide: Any, day: Callable[[dt.date], str]) -> None:
        self.slide = slide
        self.day = day

    def text(self, box: Box, paragraphs: list[str], size: float, color: str = INK, bold: bool = False) -> None:
        from pptx.dml.color import RGBColor
        from pptx.util import Inches, Pt

        frame = self.slide.shapes.add_textbox(Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h)).text_frame
        frame.word_wrap = True
        for i, line in enumerate(paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.space_after = Pt(size * 0.45)
            run = para.add_run()
            run.text = line
            run.font.size, run.font.bold, run.font.name = Pt(size), bold, PPTX_FONT
            run.font.color.rgb = RGBColor(*_rgb(color))

    def rect(self, box: Box, fill: str) -> None:
        from pptx.dml.color import RGBColor
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        shape = self.slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h)
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor(*_rgb(fill))
        shape.line.fill.background()
        shape.shadow.inherit = False

    def picture(self, box: Box, png: bytes) -> None:
        from pptx.util import Inches

        self.slide.shapes.add_picture(io.BytesIO(png), Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h))

    def chart(self, box: Box, chart: Chart, png: bytes) -> None:
        """A native chart with its data (restyled or corrected in PowerPoint); the picture when it does not map."""
        from pptx.util import Inches

        from dashboard.pptx_charts import add_chart

        place = Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h)
        if not add_chart(self.slide.shapes, *place, chart.fig, self.day):
            self.picture(box, png)


def write_pptx(slides: list[Slide], pictures: list[list[bytes]], footer: Callable[[int], str], info: Info) -> bytes:
    """The slides as a 16:9 PowerPoint file, its charts native where they map (pictures only needed for the rest)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(W), Inches(H)
    props = deck.core_properties
    props.title, props.subject, props.language = info.title, info.subject, info.lang
    props.author = props.last_modified_by = "govpulse"
    # python-pptx's template carries its own dates of 2013; the file's are when the pack was made.
    created = info.created.astimezone(dt.UTC).replace(tzinfo=None)
    props.created = props.modified = created
    props.revision = 1
    blank = deck.slide_layouts[6]
    for i, (slide, pngs) in enumerate(zip(slides, pictures, strict=True), start=1):
        draw(slide, _PptxCanvas(deck.slides.add_slide(blank), info.day), pngs, footer(i), info)
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


FONTS = {"regular": ("DejaVuSans", "DejaVuSans.ttf"), "bold": ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf")}


def _register_fonts() -> None:
    """DejaVu Sans (Cyrillic, Kazakh letters) for reportlab; embedded in every PDF it writes."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in FONTS.values():
        if name not in pdfmetrics.getRegisteredFontNames():
            path = FONT_DIR / file
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: apt-get install fonts-dejavu-core")
            pdfmetrics.registerFont(TTFont(name, str(path)))


class _PdfCanvas:
    def __init__(self, canvas: Any) -> None:
        self.c = canvas

    def _y(self, box: Box) -> float:
        """reportlab's y of the box's bottom edge, in points from the bottom of the page."""
        return (H - box.y - box.h) * 72

    def text(self, box: Box, paragraphs: list[str], size: float, color: str = INK, bold: bool = False) -> None:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Frame, Paragraph

        style = ParagraphStyle(
            "p",
            fontName=FONTS["bold" if bold else "regular"][0],
            fontSize=size,
            leading=size * 1.22,
            textColor=color,
            spaceAfter=size * 0.45,
        )
        # A bullet's wrapped lines hang under its text, not under the bullet.
        hanging = ParagraphStyle("b", parent=style, leftIndent=size * 0.9, firstLineIndent=-size * 0.9)
        story = [Paragraph(escape(p), hanging if p.startswith("• ") else style) for p in paragraphs]
        frame = Frame(box.x * 72, self._y(box), box.w * 72, box.h * 72, 7.2, 3.6, 7.2, 3.6, showBoundary=0)
        frame.addFromList(story, self.c)

    def rect(self, box: Box, fill: str) -> None:
        self.c.setFillColor(fill)
        self.c.rect(box.x * 72, self._y(box), box.w * 72, box.h * 72, stroke=0, fill=1)

    def picture(self, box: Box, png: bytes) -> None:
        from reportlab.lib.utils import ImageReader

        self.c.drawImage(ImageReader(io.BytesIO(png)), box.x * 72, self._y(box), box.w * 72, box.h * 72)

    def chart(self, box: Box, chart: Chart, png: bytes) -> None:
        self.picture(box, png)


def write_pdf(slides: list[Slide], pictures: list[list[bytes]], footer: Callable[[int], str], info: Info) -> bytes:
    """The same pages as a PDF, 16:9, with the fonts embedded and the charts as pictures."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas as PdfCanvas

    # Binary streams: reportlab's default ASCII85 armour runs in pure Python here and costs more than the rest.
    rl_config.useA85 = 0
    _register_fonts()
    buf = io.BytesIO()
    regular = FONTS["regular"][0]
    # Not invariant: reportlab's invariant mode dates every file 1 January 2000 (SOURCE_DATE_EPOCH still fixes it).
    pdf = PdfCanvas(buf, pagesize=(W * 72, H * 72), pageCompression=1, initialFontName=regular, lang=info.lang or None)
    pdf.setTitle(info.title)
    pdf.setAuthor("govpulse")
    pdf.setSubject(info.subject)
    pdf.setCreator("govpulse")
    for i, (slide, pngs) in enumerate(zip(slides, pictures, strict=True), start=1):
        draw(slide, _PdfCanvas(pdf), pngs, footer(i), info)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()
