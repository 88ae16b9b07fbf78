import { createServer } from 'node:net';
import { freePorts } from './free-port';

describe('free ports for a test', () => {
  it('are all different, and each can be listened on', async () => {
    const ports = await freePorts(64);
    expect(new Set(ports).size).toBe(64);
    const servers = await Promise.all(
      ports.map((port) => new Promise<ReturnType<typeof createServer>>((listening, failed) => {
        const server = createServer().once('error', failed);
        server.listen(port, '127.0.0.1', () => listening(server));
      })),
    );
    await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  });
});
