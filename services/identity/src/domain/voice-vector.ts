/**
 * What a voice embedding must be before identity stores or scores it — enrolled voiceprints and
 * every assertion's embedding alike. Speaker models output unit-ish vectors (most L2-normalise;
 * raw x-vector and ECAPA outputs have norms in the tens), and a cosine score ignores scale, so
 * these bounds refuse no real model's output. What they refuse is what breaks arithmetic: 1e308
 * squares to Infinity and a score of Infinity / Infinity is NaN, which compares false with every
 * threshold. Within them every sum of squares lies in [1e-6, 1e6]: no overflow, no underflow, and
 * a cosine that is a finite number in [-1, 1].
 */
export const voiceVectorLimits = {
  /** No component above this in absolute value. */
  maxComponent: 1_000,
  /** The L2 norm must lie in [minNorm, maxNorm]: a (near-)zero vector has no direction to compare. */
  minNorm: 1e-3,
  maxNorm: 1_000,
} as const;

/** Why this vector cannot be a voice embedding, or null when it can. */
export const voiceVectorProblem = (vector: readonly number[]): string | null => {
  if (vector.length === 0) return 'an embedding has at least one component';
  let squares = 0;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return 'every component must be a finite number';
    if (Math.abs(x) > voiceVectorLimits.maxComponent) return `every component must lie in [-${voiceVectorLimits.maxComponent}, ${voiceVectorLimits.maxComponent}]`;
    squares += x * x;
  }
  const norm = Math.sqrt(squares);
  if (norm < voiceVectorLimits.minNorm || norm > voiceVectorLimits.maxNorm) {
    return `the vector's length (L2 norm) must lie in [${voiceVectorLimits.minNorm}, ${voiceVectorLimits.maxNorm}], not ${norm}`;
  }
  return null;
};
