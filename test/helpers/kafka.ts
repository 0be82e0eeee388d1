/**
 * Every message of `topic` as `[key, value]` text, read from the start by a fresh group until `count` came or
 * `waitMs` passed (ask for one more than expected, with a short wait, to check that no more are there).
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  count: number,
  isolation: "read_committed" | "read_uncommitted" = "read_committed",
  waitMs = 10_000,
): Promise<[string | null, string][]> {
  const { Consumer, stringDeserializers } = await import("@platformatic/kafka");
  const consumer = new Consumer({
    clientId: "sluice-test-reader",
    groupId: `reader-${topic}-${isolation}-${Date.now()}`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  const out: [string | null, string][] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: "earliest",
      autocommit: false,
      maxWaitTime: 200,
      isolationLevel: isolation === "read_committed" ? 1 : 0,
    });
    const deadline = setTimeout(() => void stream.close(), waitMs);
    try {
      for await (const m of stream) {
        out.push([m.key ?? null, m.value]);
        if (out.length >= count) break;
      }
    } finally {
      clearTimeout(deadline);
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close(true);
  }
  return out;
}
