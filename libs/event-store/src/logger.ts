/** The little logging the store's background loops need; a service passes its pino logger. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error?(details: Record<string, unknown>, message: string): void;
}

export const consoleLogger: StoreLogger = {
  warn: (details, message) => console.warn(message, details),
  error: (details, message) => console.error(message, details),
};
