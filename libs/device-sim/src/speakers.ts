import { SeededRandom } from './random';
import { randomUnitVector, unitVectorAt } from './vectors';

export const DEFAULT_DIMENSIONS = 192;

/**
 * A synthetic voice. Its voiceprint is a random unit vector; each utterance is a unit vector at
 * a cosine of 0.90-0.96 from it (the same person on a different day). Two unrelated voices
 * are nearly orthogonal in 192 dimensions (|cosine| rarely above 0.25).
 */
export interface SimulatedSpeaker {
  readonly seed: string;
  /** What enrolment stores. */
  readonly voiceprint: readonly number[];
  /** One utterance's embedding; the same `take` gives the same embedding. */
  utter(options?: { take?: number; similarity?: number }): number[];
}

const speakerFrom = (seed: string, voiceprint: readonly number[]): SimulatedSpeaker => {
  let takes = 0;
  return {
    seed,
    voiceprint,
    utter: ({ take = takes++, similarity } = {}) => {
      const random = new SeededRandom(`${seed}/utterance/${take}`);
      const closeness = similarity ?? 0.9 + 0.06 * random.next();
      return unitVectorAt(voiceprint, closeness, random);
    },
  };
};

export const simulatedSpeaker = (seed: string, dimensions = DEFAULT_DIMENSIONS): SimulatedSpeaker =>
  speakerFrom(seed, randomUnitVector(new SeededRandom(`${seed}/voiceprint`), dimensions));

/**
 * A voice close to another's (siblings, a parent and child): its voiceprint sits at `similarity`
 * (default 0.95) from the other's, so each one's utterances score high against both prints and
 * identity must refuse to pick one.
 */
export const similarSpeaker = (to: SimulatedSpeaker, seed: string, similarity = 0.95): SimulatedSpeaker =>
  speakerFrom(seed, unitVectorAt(to.voiceprint, similarity, new SeededRandom(`${seed}/voiceprint`)));
