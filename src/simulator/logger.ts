export type LogFields = Record<string, unknown>;

export interface SimulatorLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ignore = (): void => undefined;

export const silentLogger: SimulatorLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
