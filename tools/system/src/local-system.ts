import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HomelineClient, type Credentials, type Endpoints } from './homeline-client';

/** The endpoints of a local `npm start` (dev ports of docs/architecture.md section 2). */
export const localEndpoints: Endpoints = {
  calls: 'http://127.0.0.1:3001',
  identity: 'http://127.0.0.1:3002',
  routing: 'http://127.0.0.1:3003',
  audit: 'http://127.0.0.1:3004',
};

/** A client for the system `npm start` runs, with the credentials it generated into .data/credentials.json. */
export const localClient = (root = process.cwd()): HomelineClient => {
  const file = join(root, '.data', 'credentials.json');
  let credentials: Credentials;
  try {
    credentials = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`no credentials at ${file}: start the system first with \`npm start\``);
  }
  return new HomelineClient(localEndpoints, credentials);
};
