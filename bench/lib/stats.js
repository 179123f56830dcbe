"use strict";
/** Small numeric helpers: nearest-rank percentiles, the union of ARM busy intervals, formatting. */

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const median = (values) => percentile(values, 50);
const mean = (values) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

/**
 * Time within [from, to] during which at least one ARM request was outstanding, given the proxy's flat
 * [start, end, start, end, …] list (ms, shared monotonic clock). What is left of a turn is the bot's own time.
 */
function busyWithin(intervals, from, to) {
  const clipped = [];
  for (let i = 0; i < intervals.length; i += 2) {
    const s = Math.max(intervals[i], from);
    const e = Math.min(intervals[i + 1], to);
    if (e > s) clipped.push([s, e]);
  }
  clipped.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cs = 0;
  let ce = -Infinity;
  for (const [s, e] of clipped) {
    if (s > ce) {
      if (ce > cs) total += ce - cs;
      cs = s;
      ce = e;
    } else if (e > ce) ce = e;
  }
  if (ce > cs) total += ce - cs;
  return total;
}

/** Number of ARM requests that started within [from, to]. */
function requestsWithin(intervals, from, to) {
  let n = 0;
  for (let i = 0; i < intervals.length; i += 2) if (intervals[i] >= from && intervals[i] <= to) n += 1;
  return n;
}

function ms(value, digits) {
  if (value === undefined || Number.isNaN(value)) return "–";
  const d = digits ?? (value >= 100 ? 0 : value >= 10 ? 1 : 2);
  return `${value.toFixed(d)} ms`;
}

function seconds(msValue) {
  if (msValue === undefined || Number.isNaN(msValue)) return "–";
  return msValue >= 10_000 ? `${(msValue / 1000).toFixed(1)} s` : msValue >= 1000 ? `${(msValue / 1000).toFixed(2)} s` : `${Math.round(msValue)} ms`;
}

function bytes(n) {
  if (n === undefined || Number.isNaN(n)) return "–";
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

const int = (n) => (n === undefined || Number.isNaN(n) ? "–" : Math.round(n).toLocaleString("en-US"));
const ratio = (a, b) => (b > 0 && a !== undefined ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : "–");

module.exports = { percentile, median, mean, busyWithin, requestsWithin, ms, seconds, bytes, int, ratio };
