// Draws the two Teams app icons as PNG files, with nothing but Node's zlib:
//
//   appPackage/color.png    192x192, a white padlock on a solid background of the manifest's
//                           accentColor (the symbol sits in the central 96x96 area, as Teams asks);
//   appPackage/outline.png  32x32, a white padlock on a transparent background (every pixel is
//                           white, only its alpha varies).
//
// Run it from the repository root after changing the shape or the accent colour:
//
//   node appPackage/tools/make-icons.mjs
//
// Both files are committed; test/package/app-package.test.ts checks their sizes, that the colour
// icon's background is the accentColor, and that the outline icon holds only white and alpha.
// The PNGs are 8-bit RGBA, non-interlaced, with filter type 0 on every row, so that they are
// easy to decode. Edges are anti-aliased by sampling each pixel 4x4 times.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const appPackage = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(appPackage, 'manifest.json'), 'utf8'));
const accent = parseHexColor(manifest.accentColor);
const WHITE = [255, 255, 255];

function parseHexColor(hex) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? '');
  if (!m) throw new Error(`manifest.json accentColor must look like #RRGGBB, got ${hex}`);
  return [1, 2, 3].map((i) => parseInt(m[i], 16));
}

/** Is the point (u, v) of the unit square (v grows downwards) inside the padlock? */
function insidePadlock(u, v) {
  // Keyhole: a round head and a slot below it, cut out of the body.
  const inKeyhole = Math.hypot(u - 0.5, v - 0.64) <= 0.075 || (Math.abs(u - 0.5) <= 0.035 && v >= 0.64 && v <= 0.82);
  if (inKeyhole) return false;
  // Body: a rectangle with rounded corners.
  const [x0, y0, x1, y1, r] = [0.14, 0.44, 0.86, 0.96, 0.08];
  if (u >= x0 && u <= x1 && v >= y0 && v <= y1) {
    const cx = Math.min(Math.max(u, x0 + r), x1 - r);
    const cy = Math.min(Math.max(v, y0 + r), y1 - r);
    return Math.hypot(u - cx, v - cy) <= r;
  }
  // Shackle: the upper half of a ring, with two straight legs going down into the body.
  const [sx, sy, outer, inner] = [0.5, 0.36, 0.28, 0.17];
  const d = Math.hypot(u - sx, v - sy);
  if (v <= sy && d <= outer && d >= inner) return true;
  const leg = (u >= sx - outer && u <= sx - inner) || (u >= sx + inner && u <= sx + outer);
  return leg && v >= sy && v <= y0 + 0.02;
}

/** Fraction (0..1) of the pixel (px, py) covered by a padlock drawn in the square box (bx, by, size). */
function coverage(px, py, bx, by, size) {
  const n = 4;
  let hits = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const u = (px + (i + 0.5) / n - bx) / size;
      const v = (py + (j + 0.5) / n - by) / size;
      if (u >= 0 && u <= 1 && v >= 0 && v <= 1 && insidePadlock(u, v)) hits++;
    }
  }
  return hits / (n * n);
}

/** Renders a width x width RGBA image; pixel(c) turns a coverage into [r, g, b, a]. */
function render(width, box, pixel) {
  const rgba = Buffer.alloc(width * width * 4);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      rgba.set(pixel(coverage(x, y, box.x, box.y, box.size)), (y * width + x) * 4);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes square RGBA pixels as a PNG: colour type 6, bit depth 8, filter 0 on every row. */
function encodePng(width, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(width, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth, colour type RGBA, compression, filter method, no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * width);
  for (let y = 0; y < width; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

const color = render(192, { x: 48, y: 48, size: 96 }, (c) => [...mix(accent, WHITE, c), 255]);
const outline = render(32, { x: 3, y: 2, size: 26 }, (c) => [...WHITE, Math.round(255 * c)]);

writeFileSync(join(appPackage, 'color.png'), encodePng(192, color));
writeFileSync(join(appPackage, 'outline.png'), encodePng(32, outline));
process.stdout.write('Wrote appPackage/color.png (192x192) and appPackage/outline.png (32x32).\n');
