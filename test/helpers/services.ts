import { Redis } from "ioredis";

/**
 * Whether a loopback service answers. A test that needs it skips with the reason when it does
 * not, except under CI=true, where the missing service is a failure.
 */
export async function redisOrSkip(url: string, t: { skip(msg: string): void }): Promise<Redis | undefined> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    const reason = `Redis at ${url} is not reachable (${(err as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
    t.skip(reason);
    return undefined;
  }
}

/** Like `redisOrSkip`, for NATS: resolves to whether the server answers on loopback. */
export async function natsOrSkip(servers: string, t: { skip(msg: string): void }): Promise<boolean> {
  const { connect } = await import("@nats-io/transport-node");
  try {
    const nc = await connect({ servers, timeout: 2000, maxReconnectAttempts: 0 });
    await nc.close();
    return true;
  } catch (err) {
    const reason = `NATS at ${servers} is not reachable (${(err as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
    t.skip(reason);
    return false;
  }
}

/** Like `redisOrSkip`, for RabbitMQ. */
export async function rabbitOrSkip(url: string, t: { skip(msg: string): void }): Promise<boolean> {
  const amqp = (await import("amqplib")).default;
  try {
    const conn = await amqp.connect(url);
    await conn.close();
    return true;
  } catch (err) {
    const reason = `RabbitMQ at ${url} is not reachable (${(err as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
    t.skip(reason);
    return false;
  }
}

/** Like `redisOrSkip`, for PostgreSQL. */
export async function postgresOrSkip(url: string, t: { skip(msg: string): void }): Promise<boolean> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    const reason = `PostgreSQL at ${url} is not reachable (${(err as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
    t.skip(reason);
    return false;
  }
}

/** Like `redisOrSkip`, for an MQTT broker. */
export async function mqttOrSkip(url: string, t: { skip(msg: string): void }): Promise<boolean> {
  const mqtt = (await import("mqtt")).default;
  try {
    const client = await mqtt.connectAsync(url, { connectTimeout: 2000, reconnectPeriod: 0 });
    await client.endAsync();
    return true;
  } catch (err) {
    const reason = `MQTT broker at ${url} is not reachable (${(err as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it`);
    t.skip(reason);
    return false;
  }
}
