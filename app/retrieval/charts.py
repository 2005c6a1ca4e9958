"""Pictures drawn on the server as inline SVG (no JavaScript): the heat-map scale for
matrix cells, code families per site as stacked bars, and the co-occurrence heat map.

Every picture has a <title> and an aria-label, prints its numbers, and keys its colours
with text labels, so colour is never the only cue."""

from __future__ import annotations

from html import escape

# Light to dark (a sequential blue scale); the text colour per step is picked for contrast.
SCALE = ["#ffffff", "#e8f0f8", "#c6dbef", "#9ecae1", "#6baed6", "#2766a8", "#08519c",
         "#08306b"]
INKS = ("#1b1b1b", "#ffffff")
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#7e57a8", "#8c564b", "#e377c2",
           "#6b6b6b", "#bcbd22", "#17becf"]


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_for(background: str) -> str:
    """Dark or white text, whichever contrasts more with the background."""
    return max(INKS, key=lambda ink: contrast(ink, background))


def heat(value: int, top: int) -> tuple[str, str]:
    """(background, text colour) for a value on a 0..top scale; 0 is white."""
    if not value or not top:
        return SCALE[0], INKS[0]
    step = 1 + round((len(SCALE) - 2) * value / top)
    step = min(max(step, 1), len(SCALE) - 1)
    return SCALE[step], ink_for(SCALE[step])


def _colour(key: str, colours: dict[str, str], i: int) -> str:
    c = colours.get(key, "")
    return c if len(c) == 7 and c.startswith("#") else PALETTE[i % len(PALETTE)]


def stacked_bars(found, colours: dict[str, str] | None = None) -> str:
    """Code families per site: one horizontal bar per site (a family x site Matrix)."""
    colours = colours or {}
    fams = found.rows
    fill = {f.key: _colour(f.key, colours, i) for i, f in enumerate(fams)}
    totals = {s.key: sum(found.cell(f.key, s.key).excerpts for f in fams) for s in found.cols}
    top = max(totals.values(), default=0) or 1
    label_w, bar_w, row_h, gap = 130, 480, 26, 8
    height = len(found.cols) * (row_h + gap) + 40 + 22 * ((len(fams) + 2) // 3)
    width = max(label_w + bar_w + 60, 700)
    title = "Code families per site (excerpts)"
    out = [f'<svg class="chart chart-bars" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-label="{escape(title)}: '
           + escape("; ".join(f"{s.label}: " + ", ".join(
               f"{f.key} {found.cell(f.key, s.key).excerpts}" for f in fams)
               for s in found.cols)) + f'"><title>{escape(title)}</title>']
    y = 10
    for site in found.cols:
        out.append(f'<text x="{label_w - 6}" y="{y + row_h * .68:.1f}" text-anchor="end" '
                   f'class="chart-label">{escape(site.label)}</text>')
        x = float(label_w)
        for fam in fams:
            n = found.cell(fam.key, site.key).excerpts
            if not n:
                continue
            w = bar_w * n / top
            ink = ink_for(fill[fam.key])
            out.append(f'<g><title>{escape(site.label)}, {escape(fam.key)} '
                       f'({escape(fam.label)}): {n}</title>'
                       f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                       f'fill="{fill[fam.key]}" stroke="#fff" stroke-width="1"/>')
            if w > 34:
                out.append(f'<text x="{x + w / 2:.1f}" y="{y + row_h * .68:.1f}" '
                           f'text-anchor="middle" style="fill: {ink}" class="chart-seg">'
                           f'{escape(fam.key)} {n}</text>')
            out.append("</g>")
            x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + row_h * .68:.1f}" class="chart-total">'
                   f'{totals[site.key]}</text>')
        y += row_h + gap
    y += 6
    for i, fam in enumerate(fams):                      # the legend: colour and key
        lx, ly = 10 + (i % 3) * 225, y + (i // 3) * 22
        out.append(f'<rect x="{lx}" y="{ly}" width="14" height="14" fill="{fill[fam.key]}" '
                   f'stroke="#4a4a4a"/><text x="{lx + 20}" y="{ly + 12}" class="chart-legend">'
                   f'{escape(fam.key)}: {escape(fam.label[:28])}</text>')
    out.append("</svg>")
    return "".join(out)


def heatmap(found) -> str:
    """The co-occurrence heat map of a code x code Matrix: numbers printed in each cell."""
    keys = found.rows
    top = max((c.value for c in found.cells), default=0)
    size, pad = 34, 110
    width = height = pad + size * len(keys) + 10
    title = "Code co-occurrence (overlapping coding pairs; diagonal: excerpts)"
    out = [f'<svg class="chart chart-heat" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-label="{escape(title)}">'
           f'<title>{escape(title)}</title>']
    for i, k in enumerate(keys):
        out.append(f'<text x="{pad - 4}" y="{pad + i * size + size * .62:.1f}" '
                   f'text-anchor="end" class="chart-label">{escape(k.key)}</text>')
        cx = pad + i * size + size / 2
        out.append(f'<text x="{cx:.1f}" y="{pad - 4}" class="chart-label" '
                   f'transform="rotate(-60 {cx:.1f} {pad - 4})">{escape(k.key)}</text>')
    for i, r in enumerate(keys):
        for j, c in enumerate(keys):
            n = found.cell(r.key, c.key).value
            bg, ink = heat(n, top)
            x, y = pad + j * size, pad + i * size
            out.append(f'<g><title>{escape(r.key)} × {escape(c.key)}: {n}</title>'
                       f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{bg}" '
                       f'stroke="#c8c8c8"/><text x="{x + size / 2}" y="{y + size * .62:.1f}" '
                       f'text-anchor="middle" style="fill: {ink}" class="chart-num">{n}</text></g>')
    out.append("</svg>")
    return "".join(out)
