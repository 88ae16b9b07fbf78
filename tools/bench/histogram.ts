/** Reads Prometheus histograms from /metrics text and estimates quantiles of what was observed between two reads. */
export type Buckets = Map<string, Map<number, number>>; // series labels -> upper bound -> cumulative count

export const parseHistograms = (text: string, name: string): Buckets => {
  const series: Buckets = new Map();
  const pattern = new RegExp(`^${name}_bucket\\{(.*)\\} (\\S+)$`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (!match) continue;
    const labels = match[1].split(',').filter((l) => !l.startsWith('le=') && !l.startsWith('service=')).join(',');
    const le = /le="([^"]+)"/.exec(match[1])![1];
    const bounds = series.get(labels) ?? new Map<number, number>();
    bounds.set(le === '+Inf' ? Infinity : Number(le), Number(match[2]));
    series.set(labels, bounds);
  }
  return series;
};

/** The quantile q of the observations added between `before` and `after` (bucket upper bound, in ms). */
export const quantileMs = (before: Map<number, number> | undefined, after: Map<number, number>, q: number): number | null => {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((b) => (after.get(b) ?? 0) - (before?.get(b) ?? 0));
  const total = delta[delta.length - 1];
  if (!total) return null;
  const rank = q * total;
  const i = delta.findIndex((count) => count >= rank);
  return bounds[i] === Infinity ? Infinity : Math.round(bounds[i] * 1000 * 10) / 10;
};

export const countOf = (before: Map<number, number> | undefined, after: Map<number, number>): number =>
  (after.get(Infinity) ?? 0) - (before?.get(Infinity) ?? 0);
