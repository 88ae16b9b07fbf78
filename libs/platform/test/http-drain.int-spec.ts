import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpDrain } from '../src/http/http-drain';

const listen = (server: Server) => new Promise<string>((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

describe('a draining HTTP edge', () => {
  it('answers a request that reaches it after the drain began with 503 shutting_down and Connection: close', async () => {
    const drain = new HttpDrain();
    const app = express().use(drain.middleware).get('/', (_req, res) => res.send('served'));
    const server = createServer(app);
    const base = await listen(server);
    try {
      expect(await (await fetch(base)).text()).toBe('served');
      // Drain another (never listening) server: only the edge's state changes, this one keeps listening.
      await drain.drain(createServer(), 1_000);
      const refused = await fetch(base);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('connection')).toBe('close');
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await refused.json()).toMatchObject({ status: 503, code: 'shutting_down' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
