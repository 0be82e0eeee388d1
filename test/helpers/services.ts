import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
/** The loopback services the tests use, unless the environment names others. */
export const MQTT_URL = process.env.SLUICE_MQTT_URL ?? "mqtt://127.0.0.1:1883";
export const NATS_SERVERS = process.env.SLUICE_NATS_SERVERS ?? "127.0.0.1:4222";
export const RABBITMQ_URL = process.env.SLUICE_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const REDIS_URL = process.env.SLUICE_REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env.SLUICE_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Whether a loopback service answers `probe`. A test that needs it skips with the reason when
 * it does not, except under CI=true, where the missing service is a failure.
 */
async function serviceOrSkip(
  name: string,
  url: string,
  t: { skip(msg: string): void },
  probe: () => Promise<void>,
): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (err) {
    const reason = `${name} at ${url} is not reachable (${(err as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
    t.skip(reason);
    return false;
  }
}

export async function redisOrSkip(
  url: string,
  t: { skip(msg: string): void },
): Promise<import("ioredis").Redis | undefined> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  const ok = await serviceOrSkip("Redis", url, t, async () => {
    await redis.connect();
    await redis.ping();
  });
  if (!ok) redis.disconnect();
  return ok ? redis : undefined;
}

export function natsOrSkip(servers: string, t: { skip(msg: string): void }): Promise<boolean> {
  return serviceOrSkip("NATS", servers, t, async () => {
    const { connect } = await import("@nats-io/transport-node");
    await (await connect({ servers, timeout: 2000, maxReconnectAttempts: 0 })).close();
  });
}

export function rabbitOrSkip(url: string, t: { skip(msg: string): void }): Promise<boolean> {
  return serviceOrSkip("RabbitMQ", url, t, async () => {
    const amqp = (await import("amqplib")).default;
    await (await amqp.connect(url)).close();
  });
}

export function postgresOrSkip(url: string, t: { skip(msg: string): void }): Promise<boolean> {
  return serviceOrSkip("PostgreSQL", url, t, async () => {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.end();
  });
}

export function mqttOrSkip(url: string, t: { skip(msg: string): void }): Promise<boolean> {
  return serviceOrSkip("MQTT broker", url, t, async () => {
    const mqtt = (await import("mqtt")).default;
    await (await mqtt.connectAsync(url, { connectTimeout: 2000, reconnectPeriod: 0 })).endAsync();
  });
}

/** A JetStream stream of a test's own (`<prefix>_<pid>_<time>`, capturing `<stream>.>`), with the clients to fill it. */
export async function jetStreamFor(prefix: string) {
  const nc = await connect({ servers: NATS_SERVERS });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `${prefix}_${process.pid}_${Date.now()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  return { nc, jsm, js, stream };
}

/**
 * The Kafka cluster the tests use: SLUICE_KAFKA_BROKERS, or the broker `scripts/kafka.mjs start` runs (npm test
 * starts one when Java and Maven are on the machine). Without either the test skips saying how to get one, except
 * under CI=true, where it fails.
 */
export async function kafkaOrSkip(t: { skip(msg: string): void }): Promise<string | undefined> {
  if (process.env.SLUICE_KAFKA_BROKERS) return process.env.SLUICE_KAFKA_BROKERS;
  // @ts-expect-error: a plain ES module script, without types
  const { bootstrapServers } = (await import("../../scripts/kafka.mjs")) as { bootstrapServers(): string | undefined };
  const running = bootstrapServers();
  if (running) return running;
  const reason =
    "no Kafka broker: SLUICE_KAFKA_BROKERS is not set and none runs from `node scripts/kafka.mjs start` " +
    "(npm test starts one when java and mvn are on the PATH)";
  if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
  t.skip(reason);
  return undefined;
}
