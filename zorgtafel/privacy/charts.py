"""Bar charts as SVG pictures, drawn on the server; the same numbers are always in a table
beside them. A suppressed cell has no bar, only its "<5" label."""

from __future__ import annotations

from html import escape

from flask_babel import gettext
from markupsafe import Markup

from zorgtafel.privacy.statistics import Table

ROW, LABEL_W, BAR_W = 22, 210, 260


def bar_chart(table: Table) -> Markup:
    cells = table.cells
    numbers = [v for _, v in cells if isinstance(v, int)]
    top = max(numbers) if numbers else 1
    height = ROW * max(len(cells), 1) + 10
    width = LABEL_W + BAR_W + 50
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{table.key}" '
           f'xmlns="http://www.w3.org/2000/svg"><title id="chart-{table.key}">{escape(gettext(table.title))}</title>']
    for i, (label, value) in enumerate(cells):
        y = 5 + i * ROW
        out.append(f'<text x="{LABEL_W - 6}" y="{y + 14}" font-size="12" text-anchor="end" fill="#1b1b1b">'
                   f'{escape(gettext(str(label)))[:32]}</text>')
        if isinstance(value, int):
            w = max(2, int(BAR_W * value / top))
            out.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w}" height="{ROW - 6}" fill="#0b4f6c"/>')
            out.append(f'<text x="{LABEL_W + w + 4}" y="{y + 14}" font-size="12" fill="#1b1b1b">{value}</text>')
        else:
            out.append(f'<text x="{LABEL_W + 4}" y="{y + 14}" font-size="12" fill="#1b1b1b">{escape(value)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def as_csv(tables: list[Table]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["tabel", "categorie", "aantal"])
    for table in tables:
        for label, value in table.cells:
            writer.writerow([table.title, label, value])
        writer.writerow([table.title, "totaal", table.total if table.total is not None else "niet getoond"])
        for label, value in table.facts:
            writer.writerow([table.title, label, value])
    return buffer.getvalue()
