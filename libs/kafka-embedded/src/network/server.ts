import { createServer, Server, Socket } from 'node:net';
import { BrokerContext } from '../apis/context';
import { Connection } from './connection';

/** The TCP listener: one Connection per client socket. */
export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly maxFrameBytes: number,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.close();
    await closed;
  }

  private accept(socket: Socket): void {
    const { metrics } = this.ctx;
    metrics.connectionsOpen++;
    metrics.connectionsTotal++;
    const connection = new Connection(socket, this.ctx, this.maxFrameBytes);
    this.connections.add(connection);
    socket.on('close', () => {
      metrics.connectionsOpen--;
      this.connections.delete(connection);
    });
  }
}
