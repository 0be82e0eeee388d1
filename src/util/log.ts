/** Log levels, as Spark's `sc.setLogLevel` takes them. */
export const LOG_LEVELS = ["ALL", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let threshold = LOG_LEVELS.indexOf((process.env.SLUICE_LOG_LEVEL as LogLevel) ?? "WARN");
if (threshold < 0) threshold = LOG_LEVELS.indexOf("WARN");

/** Sets the lowest level that is printed (to stderr). */
export function setLogLevel(level: string): void {
  const i = LOG_LEVELS.indexOf(level.toUpperCase() as LogLevel);
  if (i < 0) throw new RangeError(`unknown log level "${level}": use one of ${LOG_LEVELS.join(", ")}`);
  threshold = i;
}

/** The lowest level printed now. */
export function logLevel(): LogLevel {
  return LOG_LEVELS[threshold]!;
}

function emit(level: LogLevel, message: string): void {
  if (LOG_LEVELS.indexOf(level) >= threshold) process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
}

/** The engine's logger: one line per message on stderr, filtered by `setLogLevel`. */
export const log = {
  debug: (m: string) => emit("DEBUG", m),
  info: (m: string) => emit("INFO", m),
  warn: (m: string) => emit("WARN", m),
  error: (m: string) => emit("ERROR", m),
};
