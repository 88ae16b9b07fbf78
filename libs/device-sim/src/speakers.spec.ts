import { cosine, simulatedSpeaker, similarSpeaker } from './index';

const household = ['alice', 'bob', 'carol', 'dan', 'erin', 'frank', 'grace', 'heidi'].map((name) =>
  simulatedSpeaker(name),
);

describe('a synthetic voice', () => {
  it('has a 192-dimension voiceprint, the same for the same seed', () => {
    expect(household[0].voiceprint).toHaveLength(192);
    expect(simulatedSpeaker('alice').voiceprint).toEqual(household[0].voiceprint);
  });

  it('scores its own utterances above 0.85 against its voiceprint', () => {
    for (const speaker of household) {
      for (let take = 0; take < 10; take++) {
        expect(cosine(speaker.utter({ take }), speaker.voiceprint)).toBeGreaterThan(0.85);
      }
    }
  });

  it("scores below 0.4 against everyone else's voiceprint", () => {
    for (const speaker of household) {
      for (const other of household.filter((o) => o !== speaker)) {
        for (let take = 0; take < 5; take++) {
          expect(cosine(speaker.utter({ take }), other.voiceprint)).toBeLessThan(0.4);
        }
      }
    }
  });

  it('gives a different embedding for each utterance, and the same one for the same take', () => {
    const alice = simulatedSpeaker('alice');
    expect(alice.utter()).not.toEqual(alice.utter());
    expect(alice.utter({ take: 7 })).toEqual(alice.utter({ take: 7 }));
  });

  it('can utter at a chosen closeness, for a weak or borderline sample', () => {
    expect(cosine(household[0].utter({ similarity: 0.8 }), household[0].voiceprint)).toBeCloseTo(0.8, 10);
  });
});

describe('two similar voices', () => {
  const alice = household[0];
  const twin = similarSpeaker(alice, 'alice-twin');

  it('have voiceprints at the chosen closeness', () => {
    expect(cosine(twin.voiceprint, alice.voiceprint)).toBeCloseTo(0.95, 10);
  });

  it("score each one's utterances high against both prints, within a small margin", () => {
    for (let take = 0; take < 10; take++) {
      const said = twin.utter({ take });
      const own = cosine(said, twin.voiceprint);
      const sibling = cosine(said, alice.voiceprint);
      expect(sibling).toBeGreaterThan(0.75);
      expect(own - sibling).toBeLessThan(0.1);
    }
  });
});
