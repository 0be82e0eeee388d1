import type { DStream } from "../streaming/dstream.js";
import type { StreamMethods } from "../streaming/extend.js";
import { kafkaSink, type KafkaSinkOptions } from "./kafka-sink.js";
import { mqttSink, type MqttSinkOptions } from "./mqtt/sink.js";
import { natsSink, type NatsSinkOptions } from "./nats/sink.js";
import { postgresSink, type PostgresSinkOptions } from "./postgres.js";
import { rabbitMQSink, type RabbitMQSinkOptions } from "./rabbitmq/sink.js";
import { redisSink, type RedisSinkOptions } from "./redis/sink.js";

declare module "../streaming/dstream.js" {
  interface DStream<T> {
    /**
     * Writes each batch's rows (objects) to a PostgreSQL table, idempotently by batch time:
     * `{ url, mode: "upsert", key: ["user"] }` or `{ url, mode: "append" }`. A batch re-run after a
     * crash changes nothing it already wrote.
     */
    saveToPostgres(this: DStream<Record<string, unknown>>, table: string, opts: PostgresSinkOptions): void;
    /** Writes each batch's `[key, value]` pairs into a Redis hash, at most once per batch time. */
    saveToRedis<K, V>(this: DStream<[K, V]>, opts: RedisSinkOptions): void;
    /** Publishes each batch's records to a NATS JetStream subject, with per-record ids JetStream deduplicates. */
    publishToNats(opts: NatsSinkOptions): void;
    /** Publishes each batch's records to a RabbitMQ queue (confirmed; message ids from the batch time). */
    publishToRabbitMQ(opts: RabbitMQSinkOptions): void;
    /** Publishes each batch's records to an MQTT topic (QoS 1; message ids from the batch time). */
    publishToMqtt(opts: MqttSinkOptions): void;
    /**
     * Publishes each batch's records to a Kafka topic, exactly once by default (a transaction per batch, which
     * also records the batch as written: a batch re-run after a crash is not written twice); `[key, value]` pairs
     * become keyed messages.
     */
    publishToKafka(topic: string, opts: Omit<KafkaSinkOptions<T>, "topic">): void;
  }
}

/** The connectors' stream outputs, each `stream.saveTo(sink)`; the package entry adds them to DStream. */
export const connectorStreamMethods = {
  saveToPostgres(this: DStream<Record<string, unknown>>, table: string, opts: PostgresSinkOptions): void {
    this.saveTo(postgresSink(table, opts));
  },
  saveToRedis(this: DStream<[unknown, unknown]>, opts: RedisSinkOptions): void {
    this.saveTo(redisSink(opts));
  },
  publishToNats(this: DStream<unknown>, opts: NatsSinkOptions): void {
    this.saveTo(natsSink(opts));
  },
  publishToRabbitMQ(this: DStream<unknown>, opts: RabbitMQSinkOptions): void {
    this.saveTo(rabbitMQSink(opts));
  },
  publishToMqtt(this: DStream<unknown>, opts: MqttSinkOptions): void {
    this.saveTo(mqttSink(opts));
  },
  publishToKafka(this: DStream<unknown>, topic: string, opts: Omit<KafkaSinkOptions<unknown>, "topic">): void {
    this.saveTo(kafkaSink({ ...opts, topic }));
  },
} satisfies StreamMethods;
