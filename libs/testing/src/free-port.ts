import { createServer, type Server } from 'node:net';

const listening = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

const portOf = (server: Server): number => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

/** A TCP port that was free a moment ago on 127.0.0.1. */
export const freePort = async (): Promise<number> => (await freePorts(1))[0];

/**
 * `count` different TCP ports that were free a moment ago on 127.0.0.1. All are held at once while
 * they are picked: ports picked one after another may repeat (the kernel may hand a port just
 * closed out again), and two processes of one test then fight for one port.
 */
export const freePorts = async (count: number): Promise<number[]> => {
  const servers = await Promise.all(Array.from({ length: count }, listening));
  const ports = servers.map(portOf);
  await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  return ports;
};
