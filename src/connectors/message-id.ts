/** A record as message text: strings as they are, other values as JSON. */
export const messageText = (r: unknown): string => (typeof r === "string" ? r : JSON.stringify(r));

/** The id of record `i` of a batch: the same when the batch is re-run, so consumers can drop repeats. */
export const messageId = (job: string, outputId: number, batchTime: number, i: number): string =>
  `${job}:${outputId}:${batchTime}:${i}`;
