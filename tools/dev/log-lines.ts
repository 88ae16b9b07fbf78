import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const colours = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[31m'];
const reset = '\x1b[0m';

export interface LinePrinter {
  (line: string): void;
}

// Nest's module-by-module and route-by-route start-up lines: useful in JSON, noise on a terminal.
const startupChatter = /"context":"(InstanceLoader|RoutesResolver|RouterExplorer)"/;

/** Prints each line as `[name]  ...`; JSON log lines are shortened for people unless raw is asked. */
export function prefixedPrinter(name: string, index: number, options: { raw: boolean; width: number }): LinePrinter {
  const tty = process.stdout.isTTY;
  const label = `[${name}]`.padEnd(options.width + 2);
  const prefix = tty ? `${colours[index % colours.length]}${label}${reset}` : label;
  return (line) => {
    if (options.raw) return process.stdout.write(`${prefix} ${line}\n`);
    if (!startupChatter.test(line)) process.stdout.write(`${prefix} ${humanise(line)}\n`);
  };
}

export function pipeLines(stream: Readable, print: LinePrinter): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', print);
}

interface LogRecord {
  time?: string;
  level?: string | number;
  msg?: string;
  context?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { stack?: string; message?: string };
}

/** `18:40:01 info  [RoutesResolver] Mapped {/health/live, GET}` from a pino JSON line. */
function humanise(line: string): string {
  if (!line.startsWith('{')) return line;
  let record: LogRecord;
  try {
    record = JSON.parse(line) as LogRecord;
  } catch {
    return line;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const level = String(record.level ?? '').padEnd(5);
  const context = record.context ? `[${record.context}] ` : '';
  const request = record.req && record.res
    ? ` ${record.req.method} ${record.req.url} -> ${record.res.statusCode} (${record.responseTime} ms)`
    : '';
  const error = record.err?.stack ? `\n${record.err.stack}` : '';
  return `${time} ${level} ${context}${record.msg ?? ''}${request}${error}`;
}
