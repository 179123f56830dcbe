#!/usr/bin/env node
/**
 * Draws the Teams app icons and writes them as PNG files (RGBA, 8 bits per channel) with nothing but
 * node:zlib: deployment/appPackage/color.png (192×192, a white shield with a check mark on the accent
 * colour, opaque, full bleed) and deployment/appPackage/outline.png (32×32, the same shield as a white
 * outline on a transparent background), as Teams asks for.
 *
 *   node deployment/tools/make-icons.js [outputDir]
 *
 * The PNGs are committed; run this only to change the artwork.
 */
"use strict";
const { writeFileSync, mkdirSync } = require("node:fs");
const { join } = require("node:path");
const { deflateSync } = require("node:zlib");

/** Teams accent colour of the app; keep it equal to accentColor in manifest.json. */
const ACCENT = [0x0f, 0x6c, 0xbd];

// ------------------------------------------------------------------------------------------ PNG

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes `rgba` (width × height × 4 bytes, row by row) as a PNG. */
function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: truecolour with alpha
  header[10] = 0; // deflate
  header[11] = 0; // adaptive filtering
  header[12] = 0; // no interlace
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 4)] = 0; // filter: none
    rgba.copy(raw, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// ------------------------------------------------------------------------------------ drawing

/**
 * A shield in unit coordinates (y grows downwards): a top edge that dips towards the middle, straight
 * sides down to `shoulder`, then an elliptical taper to the point at `bottom`.
 */
function shield({ cx = 0.5, halfWidth, top, shoulder, bottom, dip }) {
  return (x, y) => {
    const u = (x - cx) / halfWidth;
    if (Math.abs(u) > 1) return false;
    if (y < top + dip * (1 - u * u)) return false;
    if (y <= shoulder) return true;
    if (y > bottom) return false;
    const v = (y - shoulder) / (bottom - shoulder);
    return Math.abs(u) <= Math.sqrt(1 - v * v);
  };
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function polyline(points, halfThickness) {
  return (x, y) => points.slice(1).some((p, i) => distanceToSegment(x, y, points[i], p) <= halfThickness);
}

/** Fraction of the pixel (px, py) of a size×size image that `inside` covers, from an n×n sample grid. */
function coverage(inside, px, py, size, n = 8) {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (inside((px + (i + 0.5) / n) / size, (py + (j + 0.5) / n) / size)) hits++;
    }
  }
  return hits / (n * n);
}

function render(size, pixel) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const [r, g, b, a] = pixel(px, py);
      rgba.set([r, g, b, a].map((v) => Math.round(Math.max(0, Math.min(255, v)))), (py * size + px) * 4);
    }
  }
  return encodePng(size, size, rgba);
}

const mix = (from, to, t) => from.map((v, i) => v + (to[i] - v) * t);

/** 192×192, opaque: accent background, white shield, accent check mark. */
function colorIcon() {
  const size = 192;
  const body = shield({ halfWidth: 0.25, top: 0.2, shoulder: 0.46, bottom: 0.82, dip: 0.05 });
  const check = polyline(
    [
      [0.39, 0.5],
      [0.47, 0.59],
      [0.62, 0.41],
    ],
    0.035,
  );
  const white = [255, 255, 255];
  return render(size, (px, py) => {
    const onShield = coverage(body, px, py, size);
    const onCheck = coverage((x, y) => body(x, y) && check(x, y), px, py, size);
    return [...mix(mix(ACCENT, white, onShield), ACCENT, onCheck), 255];
  });
}

/** 32×32: white shield outline and check mark on a transparent background. */
function outlineIcon() {
  const size = 32;
  const outer = shield({ halfWidth: 0.38, top: 0.06, shoulder: 0.45, bottom: 0.95, dip: 0.06 });
  const inner = shield({ halfWidth: 0.38 - 0.08, top: 0.06 + 0.08, shoulder: 0.45, bottom: 0.95 - 0.13, dip: 0.05 });
  const check = polyline(
    [
      [0.34, 0.5],
      [0.46, 0.62],
      [0.67, 0.38],
    ],
    0.045,
  );
  const drawn = (x, y) => (outer(x, y) && !inner(x, y)) || (inner(x, y) && check(x, y));
  return render(size, (px, py) => [255, 255, 255, 255 * coverage(drawn, px, py, size)]);
}

function main() {
  const out = process.argv[2] ?? join(__dirname, "..", "appPackage");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "color.png"), colorIcon());
  writeFileSync(join(out, "outline.png"), outlineIcon());
  process.stdout.write(`wrote ${join(out, "color.png")} and ${join(out, "outline.png")}\n`);
}

if (require.main === module) main();

module.exports = { encodePng, crc32, colorIcon, outlineIcon, ACCENT };
