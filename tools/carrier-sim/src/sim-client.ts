import type { CallState, LegOrder, StatusReport } from './call';
import type { Fault } from './faults';
import type { RequestRecord } from './server';
import type { WebhookAnswer } from './webhooks';

/** A call as `GET /sim/calls/:id` shows it. */
export interface SimulatedCallView {
  readonly carrierCallId: string;
  readonly direction: 'outbound' | 'inbound';
  readonly state: CallState;
  readonly legId?: string;
  readonly order?: LegOrder;
  readonly from?: string;
  readonly to?: string;
  readonly sensitive?: boolean;
  readonly bridgedTo?: string;
  readonly voicemailReason?: string;
  readonly placeRequests: number;
  readonly reported: readonly StatusReport[];
}

/** The simulator's /sim endpoints for tests and the demo: play the caller, read what the carrier was asked. */
export class CarrierSimClient {
  constructor(readonly baseUrl: string) {}

  /** A caller dials `to`: the carrier offers the call to Homeline; routing's answer comes back. */
  async offerInbound(caller: {
    from: string;
    to: string;
    sensitive?: boolean;
  }): Promise<{ carrierCallId: string; routing: WebhookAnswer }> {
    return this.json(await this.post('/sim/inbound', caller));
  }

  /** The far end (an inbound call's caller, an outbound call's callee) hangs up. */
  async hangUp(carrierCallId: string): Promise<SimulatedCallView & { routing: unknown }> {
    return this.json(await this.post(`/sim/calls/${encodeURIComponent(carrierCallId)}/hang-up`, {}));
  }

  async call(carrierCallId: string): Promise<SimulatedCallView | undefined> {
    return this.found(await fetch(`${this.baseUrl}/sim/calls/${encodeURIComponent(carrierCallId)}`));
  }

  async leg(legId: string): Promise<SimulatedCallView | undefined> {
    return this.found(await fetch(`${this.baseUrl}/sim/legs/${encodeURIComponent(legId)}`));
  }

  /** The next `count` call-control requests fail as described (docs/carrier-api.md, "The simulator"). */
  async addFaults(fault: Fault & { count: number }): Promise<void> {
    await this.json(await this.post('/sim/faults', fault));
  }

  async clearFaults(): Promise<void> {
    await this.json(await fetch(`${this.baseUrl}/sim/faults`, { method: 'DELETE' }));
  }

  /** TCP connections the simulator has accepted so far (kept-alive clients open few). */
  async connections(): Promise<number> {
    return (await this.json<{ connections: number }>(await fetch(`${this.baseUrl}/sim/stats`))).connections;
  }

  /** The call-control requests the carrier received, oldest first (the last 2000). */
  async requests(): Promise<RequestRecord[]> {
    return (await this.json<{ requests: RequestRecord[] }>(await fetch(`${this.baseUrl}/sim/requests`))).requests;
  }

  private post(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async found<T>(response: Response): Promise<T | undefined> {
    if (response.status === 404) return undefined;
    return this.json(response);
  }

  private async json<T>(response: Response): Promise<T> {
    const text = await response.text();
    if (!response.ok) throw new Error(`carrier simulator answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}
