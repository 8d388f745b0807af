"""Draws media/icon.png (128x128; run from the repo root: python3 media/make-icon.py): text lines highlighted in amber levels under a lens. Pure Python."""
import math, struct, zlib, sys

W = H = 128
px = [[(0, 0, 0, 0)] * W for _ in range(H)]

def blend(x, y, rgb, a):
    if not (0 <= x < W and 0 <= y < H) or a <= 0:
        return
    r0, g0, b0, a0 = px[y][x]
    ao = a + a0 * (1 - a)
    if ao == 0:
        return
    c = [(rgb[i] * a + (r0, g0, b0)[i] * a0 * (1 - a)) / ao for i in range(3)]
    px[y][x] = (c[0], c[1], c[2], ao)

def rrect(x0, y0, x1, y1, r, rgb, a=1.0):
    for y in range(int(y0), int(y1)):
        for x in range(int(x0), int(x1)):
            dx = max(x0 + r - x - 0.5, 0, x + 0.5 - (x1 - r))
            dy = max(y0 + r - y - 0.5, 0, y + 0.5 - (y1 - r))
            d = math.hypot(dx, dy)
            cov = max(0.0, min(1.0, r - d + 0.5)) if (dx or dy) else 1.0
            blend(x, y, rgb, a * cov)

rrect(4, 4, 124, 124, 22, (30, 34, 42))
amber = (245, 166, 35)
rows = [(26, [(16, 30, .25), (34, 58, .9), (62, 82, .45), (86, 110, .15)]),
        (48, [(16, 40, .15), (44, 60, .35), (64, 96, 1.0)]),
        (70, [(16, 34, .6), (38, 70, .2), (74, 100, .3)]),
        (92, [(16, 48, .1), (52, 72, .75), (76, 92, .2)])]
for y, segs in rows:
    for x0, x1, lvl in segs:
        rrect(x0, y, x1, y + 12, 3, amber, 0.15 + 0.85 * lvl)
        rrect(x0 + 2, y + 5, x1 - 2, y + 7, 1, (235, 235, 235), 0.55)
# lens ring + handle
cx, cy, R = 78, 60, 26
for y in range(H):
    for x in range(W):
        d = math.hypot(x + .5 - cx, y + .5 - cy)
        ring = max(0.0, 1 - abs(d - R) / 3.2)
        if ring:
            blend(x, y, (240, 240, 240), min(1, ring * 1.3))
for t in range(0, 100):
    f = t / 100
    x = cx + (R + 2) * 0.707 + f * 22
    y = cy + (R + 2) * 0.707 + f * 22
    for dy in range(-5, 6):
        for dx in range(-5, 6):
            if dx * dx + dy * dy <= 20:
                blend(int(x + dx), int(y + dy), (240, 240, 240), 0.35)

raw = b''.join(b'\x00' + b''.join(struct.pack('BBBB', *(int(round(v)) for v in (p[0], p[1], p[2], p[3] * 255))) for p in row) for row in px)
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
open(sys.argv[1] if len(sys.argv) > 1 else 'media/icon.png', 'wb').write(png)
