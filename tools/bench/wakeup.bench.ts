/**
 * npm run bench:wakeup — what one message between two processes costs in CPU on this machine, the
 * unit every hop of a call is made of (an HTTP request, a PostgreSQL statement, a Kafka fetch).
 * Two node processes echo 100 bytes over loopback TCP, first back to back (neither ever sleeps),
 * then with a pause before each message (the receiver sleeps in epoll and is woken for each one,
 * as the services are at low and moderate rates). Prints CPU µs per round trip on each side, from
 * process.cpuUsage() and /proc.
 *
 *   npm run bench:wakeup [-- --round-trips 5000 --pauses 0,2]
 */
import { fork } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { cpuMsOfTrees } from '@homeline/system';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const roundTrips = Number(arg('round-trips', '5000'));
const cpuUsOf = (pid: number): number => cpuMsOfTrees([pid]) * 1000;

/** The echoing side: a child process, so that its CPU is its own. */
function echo(): void {
  createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (data) => socket.write(data));
  }).listen(0, '127.0.0.1', function (this: { address(): AddressInfo }) {
    process.send?.(this.address().port);
  });
}

async function measure(port: number, echoPid: number, pauseMs: number | null): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const message = 'x'.repeat(100);
  const ownBefore = process.cpuUsage();
  const echoBefore = cpuUsOf(echoPid);
  const started = process.hrtime.bigint();
  await new Promise<void>((done) => {
    let left = roundTrips;
    const send = () => socket.write(message);
    socket.on('data', () => {
      if (--left === 0) return done();
      if (pauseMs === null) send();
      else setTimeout(send, pauseMs);
    });
    send();
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const own = process.cpuUsage(ownBefore);
  const echoed = cpuUsOf(echoPid) - echoBefore;
  socket.destroy();
  const mode = pauseMs === null ? 'back to back' : `pause ${pauseMs} ms`;
  return `${mode.padEnd(14)} ${roundTrips} round trips in ${wallMs.toFixed(0)} ms: sender ${((own.user + own.system) / roundTrips).toFixed(0)} µs, echoer ${(echoed / roundTrips).toFixed(0)} µs of CPU per round trip`;
}

async function main(): Promise<void> {
  const child = fork(__filename, ['--echo'], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once('message', (p) => resolve(Number(p))));
  try {
    await measure(port, child.pid!, null); // warm-up: JIT
    console.log(await measure(port, child.pid!, null));
    for (const pause of arg('pauses', '0,2').split(',').map(Number)) console.log(await measure(port, child.pid!, pause));
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--echo')) echo();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
