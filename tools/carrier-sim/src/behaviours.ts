/** How the simulated far end treats an outbound leg, per destination (docs/carrier-api.md, "The simulator"). */
export const behaviours = ['answer', 'busy', 'no_answer', 'fail', 'ring'] as const;
export type CarrierBehaviour = (typeof behaviours)[number];

export type OutboundStatus = 'ringing' | 'answered' | 'busy' | 'no_answer' | 'failed';

/** One status the carrier reports, with the SIP response and Q.850 cause a real network gives for it. */
export interface Step {
  readonly status: OutboundStatus;
  readonly sipCode: number;
  readonly q850?: number;
}

/** The statuses each behaviour reports, in order, one every step delay. */
export const scripts: Readonly<Record<CarrierBehaviour, readonly Step[]>> = {
  answer: [
    { status: 'ringing', sipCode: 180 },
    { status: 'answered', sipCode: 200 },
  ],
  busy: [{ status: 'busy', sipCode: 486, q850: 17 }],
  no_answer: [
    { status: 'ringing', sipCode: 180 },
    { status: 'no_answer', sipCode: 480, q850: 19 },
  ],
  fail: [{ status: 'failed', sipCode: 503, q850: 41 }],
  // Rings until someone hangs up: the case of a deadline passing at Homeline.
  ring: [{ status: 'ringing', sipCode: 180 }],
};

/** The behaviour for a destination: its own if configured (E.164, or the digits of 911), else the default. */
export const behaviourFor = (
  e164: string,
  configured: Readonly<Record<string, CarrierBehaviour>>,
  fallback: CarrierBehaviour,
): CarrierBehaviour => configured[e164] ?? fallback;
