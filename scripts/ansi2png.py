#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw a terminal screen captured as ANSI text (tmux capture-pane -e -p) into a PNG.

Understands SGR (8, 16, 256 and 24-bit colours, default colours, bold, dim, italic, underline,
reverse, invisible, strike-through), UTF-8 including wide characters, and draws box-drawing
lines, block elements and braille cells itself, so that they join up from cell to cell the way
a terminal shows them. Other escape sequences are skipped. Needs Pillow (Debian python3-pil)
and a monospace TrueType font (default DejaVu Sans Mono, Debian fonts-dejavu-core).

    tmux capture-pane -e -p -N -t SESSION | ansi2png.py --cols 100 --rows 30 -o shot.png
"""

import argparse
import os
import sys
import unicodedata

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:
    sys.exit("ansi2png: Pillow is missing: install it (apt-get install python3-pil) and run this "
             "with the python3 it belongs to (/usr/bin/python3 for Debian's package)")

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF",
             "/usr/share/fonts/dejavu", "/usr/local/share/fonts"]
FONT_FILES = {
    (False, False): "DejaVuSansMono.ttf",
    (True, False): "DejaVuSansMono-Bold.ttf",
    (False, True): "DejaVuSansMono-Oblique.ttf",
    (True, True): "DejaVuSansMono-BoldOblique.ttf",
}

# A dark theme: default colours, then the 16 ANSI colours (Tango, as in many terminals).
DEFAULT_FG = (0xd3, 0xd7, 0xcf)
DEFAULT_BG = (0x1c, 0x1c, 0x1c)
ANSI16 = [
    (0x2e, 0x34, 0x36), (0xcc, 0x00, 0x00), (0x4e, 0x9a, 0x06), (0xc4, 0xa0, 0x00),
    (0x34, 0x65, 0xa4), (0x75, 0x50, 0x7b), (0x06, 0x98, 0x9a), (0xd3, 0xd7, 0xcf),
    (0x55, 0x57, 0x53), (0xef, 0x29, 0x29), (0x8a, 0xe2, 0x34), (0xfc, 0xe9, 0x4f),
    (0x72, 0x9f, 0xcf), (0xad, 0x7f, 0xa8), (0x34, 0xe2, 0xe2), (0xee, 0xee, 0xec),
]


def palette256(n):
    """xterm's 256 colours: the 16 above, a 6x6x6 cube, then 24 greys."""
    if n < 16:
        return ANSI16[n]
    if n < 232:
        n -= 16
        levels = (0, 95, 135, 175, 215, 255)
        return (levels[n // 36], levels[n // 6 % 6], levels[n % 6])
    grey = 8 + 10 * (n - 232)
    return (grey, grey, grey)


class Attr:
    """The SGR state of one cell. Colours: None (default), an int 0-255, or an (r, g, b)."""
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse", "invisible",
                 "strike")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = False
        self.reverse = self.invisible = self.strike = False

    def copy(self):
        a = Attr()
        for k in self.__slots__:
            setattr(a, k, getattr(self, k))
        return a


def extended_colour(params, i):
    """Parses the rest of 38/48 from params[i:] (5;N or 2;R;G;B); returns (colour, next i)."""
    if i < len(params) and params[i] == 5 and i + 1 < len(params):
        return params[i + 1] % 256, i + 2
    if i < len(params) and params[i] == 2 and i + 3 < len(params):
        return tuple(max(0, min(255, v)) for v in params[i + 1:i + 4]), i + 4
    return None, len(params)


def num(s):
    """A parameter's value; empty or malformed counts as 0, as terminals do."""
    return int(s) if s.isascii() and s.isdigit() else 0


def apply_sgr(attr, text):
    """Applies one SGR parameter string (the part between ESC [ and m) to attr."""
    # Colon sub-parameters (38:5:N, 38:2::R:G:B, 4:3) belong to their group; plain ';' lists
    # carry extended colours as separate parameters. Handle both.
    groups = (text or "0").split(";")
    flat = []
    for g in groups:
        if ":" in g:
            sub = g.split(":")
            head = num(sub[0])
            if head in (38, 48, 58) and len(sub) >= 3:
                if sub[1] == "2":
                    rgb = [num(v) for v in sub[-3:]]
                    flat.append((head, 2, *rgb))
                else:
                    flat.append((head, 5, num(sub[2])))
            elif head == 4:
                flat.append((24,) if sub[1:] == ["0"] else (4,))
            else:
                flat.append((head,))
        else:
            flat.append((num(g),))
    params = [v for t in flat for v in t]
    i = 0
    while i < len(params):
        p = params[i]
        i += 1
        if p == 0:
            attr.reset()
        elif p == 1:
            attr.bold = True
        elif p == 2:
            attr.dim = True
        elif p == 3:
            attr.italic = True
        elif p in (4, 21):
            attr.underline = True
        elif p == 7:
            attr.reverse = True
        elif p == 8:
            attr.invisible = True
        elif p == 9:
            attr.strike = True
        elif p == 22:
            attr.bold = attr.dim = False
        elif p == 23:
            attr.italic = False
        elif p == 24:
            attr.underline = False
        elif p == 27:
            attr.reverse = False
        elif p == 28:
            attr.invisible = False
        elif p == 29:
            attr.strike = False
        elif 30 <= p <= 37:
            attr.fg = p - 30
        elif p == 38:
            attr.fg, i = extended_colour(params, i)
        elif p == 39:
            attr.fg = None
        elif 40 <= p <= 47:
            attr.bg = p - 40
        elif p == 48:
            attr.bg, i = extended_colour(params, i)
        elif p == 49:
            attr.bg = None
        elif p == 58:
            _, i = extended_colour(params, i)  # underline colour: not drawn
        elif 90 <= p <= 97:
            attr.fg = p - 90 + 8
        elif 100 <= p <= 107:
            attr.bg = p - 100 + 8
        # Anything else (blink, fonts, overline...) does not change what is drawn here.


# DEC special graphics (ESC ( 0), in case a program's line drawing reaches us untranslated.
DEC_GRAPHICS = dict(zip("`afgjklmnopqrstuvwxyz{|}~",
                        "◆▒°±┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£·"))


def parse(text, cols, rows):
    """Returns rows x cols cells, each [char, Attr] (char "" for the right half of a wide one)."""
    blank = Attr()
    grid = [[[" ", blank] for _ in range(cols)] for _ in range(rows)]
    attr = Attr()
    row = col = 0
    graphics = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if ch == "\x1b":
            if i < n and text[i] == "[":
                j = i + 1
                while j < n and not ("\x40" <= text[j] <= "\x7e"):
                    j += 1
                if j < n and text[j] == "m" and not text[i + 1:j].startswith(("?", ">", "<")):
                    apply_sgr(attr, text[i + 1:j])
                i = j + 1
            elif i < n and text[i] == "]":
                # OSC (e.g. a hyperlink): up to BEL or ESC \.
                j = i + 1
                while j < n and text[j] != "\x07" and not text.startswith("\x1b\\", j):
                    j += 1
                i = j + (2 if text.startswith("\x1b\\", j) else 1)
            elif i + 1 < n and text[i] == "(":
                graphics = text[i + 1] == "0"
                i += 2
            else:
                i += 1
            continue
        if ch == "\n":
            row, col = row + 1, 0
            continue
        if ch == "\r":
            col = 0
            continue
        if ch == "\t":
            col = min(cols, (col // 8 + 1) * 8)
            continue
        if ch == "\x0e" or ch == "\x0f":  # SO / SI: G1 / G0, treated alike
            continue
        if ord(ch) < 0x20 or ch == "\x7f":
            continue
        if graphics:
            ch = DEC_GRAPHICS.get(ch, ch)
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            # Zero width: joins the previous cell.
            if 0 < col <= cols and row < rows:
                cell = grid[row][col - 1]
                cell[0] = (cell[0] or " ") + ch
            continue
        width = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if row < rows and col + width <= cols:
            grid[row][col] = [ch, attr.copy()]
            if width == 2:
                grid[row][col + 1] = ["", attr.copy()]
        col += width
    return grid


def resolve(attr):
    """The (foreground, background) RGB colours a cell is drawn with."""
    def rgb(c, default):
        if c is None:
            return default
        if isinstance(c, tuple):
            return c
        return palette256(c)
    fg, bg = rgb(attr.fg, DEFAULT_FG), rgb(attr.bg, DEFAULT_BG)
    if attr.reverse:
        fg, bg = bg, fg
    if attr.dim:
        fg = mix(fg, bg, 0.5)
    if attr.invisible:
        fg = bg
    return fg, bg


def mix(a, b, t):
    """a blended toward b by t (0..1)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


# Box drawing: for each character the weight of its arm (0 none, 1 light, 2 heavy) going up,
# right, down and left from the centre. Arcs are drawn as square corners; double lines are left
# to the font.
def _box_table():
    t = {}

    def add(chars, up, right, down, left):
        for c in chars:
            t[c] = (up, right, down, left)
    add("─╌┄┈", 0, 1, 0, 1)
    add("━╍┅┉", 0, 2, 0, 2)
    add("│╎┆┊", 1, 0, 1, 0)
    add("┃╏┇┋", 2, 0, 2, 0)
    add("┌╭", 0, 1, 1, 0)
    add("┐╮", 0, 0, 1, 1)
    add("└╰", 1, 1, 0, 0)
    add("┘╯", 1, 0, 0, 1)
    add("├", 1, 1, 1, 0)
    add("┤", 1, 0, 1, 1)
    add("┬", 0, 1, 1, 1)
    add("┴", 1, 1, 0, 1)
    add("┼", 1, 1, 1, 1)
    add("┏", 0, 2, 2, 0)
    add("┓", 0, 0, 2, 2)
    add("┗", 2, 2, 0, 0)
    add("┛", 2, 0, 0, 2)
    add("┣", 2, 2, 2, 0)
    add("┫", 2, 0, 2, 2)
    add("┳", 0, 2, 2, 2)
    add("┻", 2, 2, 0, 2)
    add("╋", 2, 2, 2, 2)
    add("╴", 0, 0, 0, 1)
    add("╵", 1, 0, 0, 0)
    add("╶", 0, 1, 0, 0)
    add("╷", 0, 0, 1, 0)
    add("╸", 0, 0, 0, 2)
    add("╹", 2, 0, 0, 0)
    add("╺", 0, 2, 0, 0)
    add("╻", 0, 0, 2, 0)
    return t


BOX = _box_table()
# Quadrants: which of upper-left, upper-right, lower-left, lower-right are filled.
QUADRANTS = {
    "▖": (0, 0, 1, 0), "▗": (0, 0, 0, 1), "▘": (1, 0, 0, 0), "▙": (1, 0, 1, 1),
    "▚": (1, 0, 0, 1), "▛": (1, 1, 1, 0), "▜": (1, 1, 0, 1), "▝": (0, 1, 0, 0),
    "▞": (0, 1, 1, 0), "▟": (0, 1, 1, 1),
}


class Renderer:
    def __init__(self, font_path, bold_path, italic_path, bold_italic_path, size):
        self.fonts = {
            (False, False): ImageFont.truetype(font_path, size),
            (True, False): ImageFont.truetype(bold_path or font_path, size),
            (False, True): ImageFont.truetype(italic_path or font_path, size),
            (True, True): ImageFont.truetype(bold_italic_path or bold_path or font_path, size),
        }
        regular = self.fonts[(False, False)]
        ascent, descent = regular.getmetrics()
        self.ascent = ascent
        self.cw = max(1, round(regular.getlength("M")))
        self.ch = ascent + descent
        self.thin = max(1, round(size / 14))
        self.thick = self.thin * 2 + 1

    def box(self, d, x, y, arms, fg):
        """Lines from the cell's centre to its edges, so that neighbours join without gaps; an
        arm that meets a crossing stroke covers it, so that corners come out square."""
        up, right, down, left = arms

        def width(weight):
            return self.thick if weight == 2 else self.thin

        def span(centre, w):
            return centre - w // 2, centre - w // 2 + w  # [start, end)

        xc, yc = x + self.cw // 2, y + self.ch // 2
        vs = span(xc, width(max(up, down))) if up or down else (xc, xc)
        hs = span(yc, width(max(left, right))) if left or right else (yc, yc)
        for weight, x0, x1 in ((left, x, vs[1]), (right, vs[0], x + self.cw)):
            if weight:
                y0, y1 = span(yc, width(weight))
                d.rectangle([min(x0, xc), y0, max(x1, xc + 1) - 1, y1 - 1], fill=fg)
        for weight, y0, y1 in ((up, y, hs[1]), (down, hs[0], y + self.ch)):
            if weight:
                x0, x1 = span(xc, width(weight))
                d.rectangle([x0, min(y0, yc), x1 - 1, max(y1, yc + 1) - 1], fill=fg)

    def block(self, d, x, y, c, fg, bg):
        """Block elements U+2580-U+259F; returns False for any other character."""
        cw, ch = self.cw, self.ch
        o = ord(c)
        if c == "▀":
            d.rectangle([x, y, x + cw - 1, y + ch // 2 - 1], fill=fg)
        elif 0x2581 <= o <= 0x2588:  # lower one eighth .. full block
            h = round(ch * (o - 0x2580) / 8)
            d.rectangle([x, y + ch - h, x + cw - 1, y + ch - 1], fill=fg)
        elif 0x2589 <= o <= 0x258f:  # left seven eighths .. left one eighth
            w = max(1, round(cw * (0x2590 - o) / 8))
            d.rectangle([x, y, x + w - 1, y + ch - 1], fill=fg)
        elif c == "▐":
            d.rectangle([x + cw // 2, y, x + cw - 1, y + ch - 1], fill=fg)
        elif c in "░▒▓":
            d.rectangle([x, y, x + cw - 1, y + ch - 1], fill=mix(bg, fg, (o - 0x2590) / 4))
        elif c == "▔":
            d.rectangle([x, y, x + cw - 1, y + max(1, round(ch / 8)) - 1], fill=fg)
        elif c == "▕":
            w = max(1, round(cw / 8))
            d.rectangle([x + cw - w, y, x + cw - 1, y + ch - 1], fill=fg)
        elif c in QUADRANTS:
            ul, ur, ll, lr = QUADRANTS[c]
            mx, my = x + cw // 2, y + ch // 2
            for on, box in ((ul, [x, y, mx - 1, my - 1]), (ur, [mx, y, x + cw - 1, my - 1]),
                            (ll, [x, my, mx - 1, y + ch - 1]),
                            (lr, [mx, my, x + cw - 1, y + ch - 1])):
                if on:
                    d.rectangle(box, fill=fg)
        else:
            return False
        return True

    def braille(self, d, x, y, c, fg):
        bits = ord(c) - 0x2800
        # Dots 1-8 by bit: (column, row) in a 2 x 4 grid.
        where = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        r = max(1, round(self.cw / 8))
        for bit, (cx, cy) in enumerate(where):
            if bits & (1 << bit):
                px = x + round(self.cw * (1 + 2 * cx) / 4)
                py = y + round(self.ch * (1 + 2 * cy) / 8)
                d.ellipse([px - r, py - r, px + r, py + r], fill=fg)

    def render(self, grid, padding):
        rows, cols = len(grid), len(grid[0]) if grid else 0
        img = Image.new("RGB", (cols * self.cw + 2 * padding, rows * self.ch + 2 * padding),
                        DEFAULT_BG)
        d = ImageDraw.Draw(img)
        for r, line in enumerate(grid):
            y = padding + r * self.ch
            for col, (c, attr) in enumerate(line):
                if c == "":
                    continue  # drawn with the wide character to its left
                x = padding + col * self.cw
                wide = col + 1 < cols and line[col + 1][0] == ""
                width = self.cw * (2 if wide else 1)
                fg, bg = resolve(attr)
                if bg != DEFAULT_BG:
                    d.rectangle([x, y, x + width - 1, y + self.ch - 1], fill=bg)
                if c != " " and not attr.invisible:
                    # A character with combining marks is always left to the font.
                    if c in BOX:
                        self.box(d, x, y, BOX[c], fg)
                    elif len(c) == 1 and 0x2800 <= ord(c) <= 0x28ff:
                        self.braille(d, x, y, c, fg)
                    elif len(c) > 1 or not self.block(d, x, y, c, fg, bg):
                        font = self.fonts[(attr.bold, attr.italic)]
                        d.text((x, y), c, font=font, fill=fg)
                if attr.underline:
                    uy = y + min(self.ascent + 2, self.ch - 1)
                    d.line([x, uy, x + width - 1, uy], fill=fg, width=self.thin)
                if attr.strike:
                    sy = y + self.ch // 2
                    d.line([x, sy, x + width - 1, sy], fill=fg, width=self.thin)
        return img


def find_font(name, given):
    if given:
        return given
    for directory in FONT_DIRS:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    return None


def plain_lines(text):
    """The lines of text without escape sequences, for measuring."""
    out, line, i, n = [], [], 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if ch == "\x1b" and i < n and text[i] == "[":
            j = i + 1
            while j < n and not ("\x40" <= text[j] <= "\x7e"):
                j += 1
            i = j + 1
        elif ch == "\n":
            out.append("".join(line))
            line = []
        elif ch >= " ":
            line.append(ch)
    out.append("".join(line))
    return out


def display_width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)


def main():
    ap = argparse.ArgumentParser(description="Draw ANSI terminal text (tmux capture-pane -e) "
                                             "into a PNG.")
    ap.add_argument("input", nargs="?", default="-", help="ANSI text file; - for stdin")
    ap.add_argument("-o", "--output", required=True, help="PNG file to write")
    ap.add_argument("--cols", type=int, help="screen width (default: the longest line)")
    ap.add_argument("--rows", type=int, help="screen height (default: the number of lines)")
    ap.add_argument("--font", help="monospace TrueType font (default: DejaVu Sans Mono)")
    ap.add_argument("--bold-font", help="its bold face (default: DejaVu Sans Mono Bold)")
    ap.add_argument("--size", type=int, default=16, help="font size in pixels (default 16)")
    ap.add_argument("--padding", type=int, default=12, help="margin in pixels (default 12)")
    args = ap.parse_args()

    try:
        if args.input == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.input, "rb") as f:
                raw = f.read()
    except OSError as e:
        sys.exit("ansi2png: cannot read %s: %s" % (args.input, e.strerror))
    text = raw.decode("utf-8", errors="replace")
    lines = (text[:-1] if text.endswith("\n") else text).split("\n")
    if args.rows is None:
        args.rows = len(lines)
    if args.cols is None:
        args.cols = max(display_width(line) for line in plain_lines(text))
    if args.rows < 1 or args.cols < 1:
        sys.exit("ansi2png: nothing to draw: --rows and --cols must be at least 1")

    regular = find_font(FONT_FILES[(False, False)], args.font)
    if regular is None:
        sys.exit("ansi2png: no DejaVu Sans Mono font in %s: install fonts-dejavu-core, or "
                 "name a monospace TrueType font with --font" % ", ".join(FONT_DIRS))
    faces = [find_font(FONT_FILES[k], None) if not args.font else None
             for k in ((True, False), (False, True), (True, True))]
    if args.bold_font:
        faces[0] = args.bold_font
    try:
        renderer = Renderer(regular, faces[0], faces[1], faces[2], args.size)
    except OSError as e:
        sys.exit("ansi2png: cannot load font %s: %s" % (regular, e))

    img = renderer.render(parse(text, args.cols, args.rows), args.padding)
    try:
        img.save(args.output, "PNG", optimize=True)
    except OSError as e:
        sys.exit("ansi2png: cannot write %s: %s" % (args.output, e.strerror))


if __name__ == "__main__":
    main()
