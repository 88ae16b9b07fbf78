export interface BrokerLogger {
  info(msg: string, o?: object): void;
  warn(msg: string, o?: object): void;
  error(msg: string, o?: object): void;
}

const line = (level: string, msg: string, o?: object) =>
  JSON.stringify({ time: new Date().toISOString(), level, component: 'kafka-embedded', msg, ...o });

/** JSON lines on stderr: the default when no logger is given. */
export const consoleLogger: BrokerLogger = {
  info: (msg, o) => process.stderr.write(line('info', msg, o) + '\n'),
  warn: (msg, o) => process.stderr.write(line('warn', msg, o) + '\n'),
  error: (msg, o) => process.stderr.write(line('error', msg, o) + '\n'),
};
