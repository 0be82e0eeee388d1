/** Base class of every error Sluice throws on purpose. */
export class SluiceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument has the wrong type or value (PySpark's `ValueError`). */
export class IllegalArgumentError extends SluiceError {}

/** A call is not allowed in the object's current state (Spark's `IllegalStateException`). */
export class IllegalStateError extends SluiceError {}

/** A part of Sluice that is not built yet; the message names what is missing. */
export class NotImplementedError extends SluiceError {}

/** An operation Spark refuses (as its UnsupportedOperationException), such as changing a persisted RDD's level. */
export class UnsupportedOperationError extends SluiceError {}

/** An action that needs at least one element ran on an empty RDD. */
export class EmptyRDDError extends SluiceError {}

/** An input path given to `textFile`, `wholeTextFiles` or a file stream does not exist. */
export class InputPathError extends SluiceError {
  constructor(
    readonly path: string,
    detail = "does not exist",
  ) {
    super(`Input path ${path} ${detail}`);
  }
}

/** A task failed more than `spark.task.maxFailures` times; `cause` is the user's error. */
export class TaskFailedError extends SluiceError {
  constructor(
    readonly rddId: number,
    readonly rddName: string,
    readonly partition: number,
    readonly stageId: number,
    readonly attempts: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      `Task for partition ${partition} of ${rddName} [RDD ${rddId}] in stage ${stageId} failed ${attempts} ` +
        `time(s); last failure: ${why}`,
      { cause },
    );
  }
}

/** Text of an unknown thrown value, for messages. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Records cannot be written in or read from a file format (a column with mixed types, a corrupt file); the message
 * names where.
 */
export class RecordFormatError extends SluiceError {}
