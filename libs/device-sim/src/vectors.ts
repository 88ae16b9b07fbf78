import { SeededRandom } from './random';

export const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, x, i) => sum + x * b[i], 0);
export const norm = (a: readonly number[]): number => Math.sqrt(dot(a, a));
export const normalize = (a: readonly number[]): number[] => {
  const n = norm(a);
  return a.map((x) => x / n);
};
export const cosine = (a: readonly number[], b: readonly number[]): number => dot(a, b) / (norm(a) * norm(b));

/** A random direction, uniform on the unit sphere. */
export const randomUnitVector = (random: SeededRandom, dimensions: number): number[] =>
  normalize(Array.from({ length: dimensions }, () => random.gaussian()));

/** A random unit vector orthogonal to `unit` (Gram-Schmidt). */
export const orthogonalUnitVector = (unit: readonly number[], random: SeededRandom): number[] => {
  const r = randomUnitVector(random, unit.length);
  const along = dot(r, unit);
  return normalize(r.map((x, i) => x - along * unit[i]));
};

/** A unit vector at exactly cosine `similarity` from `unit`. */
export const unitVectorAt = (unit: readonly number[], similarity: number, random: SeededRandom): number[] => {
  const away = orthogonalUnitVector(unit, random);
  const across = Math.sqrt(1 - similarity * similarity);
  return unit.map((x, i) => similarity * x + across * away[i]);
};
