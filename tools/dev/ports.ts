import { portHolder, portIsFree } from '@homeline/testing';

export interface NamedPort {
  readonly port: number;
  /** What listens there, for a person: "calls's HTTP port". */
  readonly what: string;
  /** The environment variable that moves it. */
  readonly variable: string;
}

/**
 * Waits (at most `waitMs`) until every port is free: a stack killed a moment ago may still be
 * letting go of them. Then fails naming each port still taken, by whom when that can be known,
 * and the variable that moves it.
 */
export async function waitForPorts(ports: readonly NamedPort[], waitMs: number, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const taken: NamedPort[] = [];
    for (const port of ports) if (!(await portIsFree(port.port))) taken.push(port);
    if (taken.length === 0) return;
    const lines = taken.map((p) => `port ${p.port} (${p.what}) is in use${describeHolder(p.port)}`);
    if (Date.now() > deadline) {
      throw new Error(`${lines.join('; ')}. Stop what holds it, or move it: ${taken.map((p) => `${p.variable}=<another port>`).join(' ')}`);
    }
    if (!told) say(`${lines.join('; ')}; waiting up to ${Math.round(waitMs / 1000)} s for it to be released`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const describeHolder = (port: number): string => {
  const holder = portHolder(port);
  return holder ? ` by ${holder}` : '';
};
