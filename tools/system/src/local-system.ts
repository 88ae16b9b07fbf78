import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CarrierSimClient } from '@homeline/carrier-sim';
import { HomelineClient, type Credentials, type Endpoints } from './homeline-client';

const port = (variable: string, fallback: number, env: NodeJS.ProcessEnv): string =>
  `http://127.0.0.1:${Number(env[variable] ?? fallback)}`;

/**
 * The endpoints of a local `npm start`: the dev ports of docs/architecture.md section 2, moved by
 * the same variables that move `npm start` (HTTP_PORT_CALLS, …), so a stack started off the
 * default ports is reached by running the demo with the same environment.
 */
export const localEndpointsOf = (env: NodeJS.ProcessEnv = process.env): Endpoints => ({
  calls: port('HTTP_PORT_CALLS', 3001, env),
  identity: port('HTTP_PORT_IDENTITY', 3002, env),
  routing: port('HTTP_PORT_ROUTING', 3003, env),
  audit: port('HTTP_PORT_AUDIT', 3004, env),
});

export const localEndpoints: Endpoints = localEndpointsOf({});

/**
 * A client for the system `npm start` runs, with the credentials it generated into
 * .data/credentials.json (or under HOMELINE_DATA_DIR, as `npm start` does).
 */
export const localClient = (root = process.cwd(), env: NodeJS.ProcessEnv = process.env): HomelineClient => {
  const file = join(env.HOMELINE_DATA_DIR ? resolve(root, env.HOMELINE_DATA_DIR) : join(root, '.data'), 'credentials.json');
  let credentials: Credentials;
  try {
    credentials = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`no credentials at ${file}: start the system first with \`npm start\``);
  }
  return new HomelineClient(localEndpointsOf(env), credentials);
};

/** The carrier simulator `npm start` runs (CARRIER_SIM_PORT, 3005 by default): a caller dials in with `offerInbound`. */
export const localCarrier = (port = Number(process.env.CARRIER_SIM_PORT ?? 3005)): CarrierSimClient =>
  new CarrierSimClient(`http://127.0.0.1:${port}`);
