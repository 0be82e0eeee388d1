/** Sluice: micro-batch stream processing for Node.js with PySpark's API. */
export { SparkConf } from "./core/conf.js";
export { SparkContext } from "./core/context.js";
export { RDD } from "./core/rdd.js";
export { StorageLevel } from "./core/storage-level.js";
export { StatCounter } from "./core/stat-counter.js";
export { Broadcast, Accumulator } from "./core/shared-vars.js";
export {
  SluiceError,
  IllegalArgumentError,
  IllegalStateError,
  NotImplementedError,
  EmptyRDDError,
  InputPathError,
  TaskFailedError,
  RecordFormatError,
} from "./core/errors.js";
export { HashPartitioner, type Partitioner } from "./shuffle/partitioner.js";
export { pyStr, pyRepr } from "./util/py-format.js";
export { inferAvroSchema, type AvroSchema } from "./util/formats/avro.js";
export { StreamingContext, type StreamingContextOptions, type StreamingContextState } from "./streaming/context.js";
export { DStream } from "./streaming/dstream.js";
export { ManualClock, SystemClock, type Clock } from "./streaming/clock.js";
export type { StreamingListener, BatchInfo, ReceiverInfo, OutputOperationInfo } from "./streaming/listener.js";
export { StreamingJobError } from "./streaming/job-scheduler.js";
export { Receiver } from "./receiver/receiver.js";
export { ReceiverStartError } from "./receiver/supervisor.js";
export { Seconds, Milliseconds, Minutes } from "./util/duration.js";
export { State, StateSpec, NoSuchElementError, type MappingFunction } from "./streaming/state.js";
export type { MapWithStateStream } from "./streaming/dstream.js";
export { EventTimeStream, EventTimeWindows, type EventTimeResult } from "./streaming/event-time.js";
export type { EventWindow, OutputMode } from "./streaming/dstream/event-time-window.js";
export { SparkSession, DataFrameReader } from "./sql/session.js";
export { DataFrame, GroupedData, DataFrameWriter, type Row } from "./sql/dataframe.js";
export { StructType, StructField, SchemaMismatchError, SqlError, type SqlTypeName } from "./sql/types.js";
export { RedisStreams, type StreamEntry, type RedisStreamOptions } from "./receiver/sources/redis-streams.js";
export { NatsJetStreamUtils, type JetStreamMessage, type NatsJetStreamOptions } from "./receiver/sources/nats-jetstream.js";
export { RabbitMQUtils, RabbitMQReceiver, type RabbitMQOptions } from "./receiver/sources/rabbitmq.js";
export { closePostgresPools, type PostgresSinkOptions } from "./sinks/postgres.js";
export { MQTTUtils, MQTTReceiver } from "./receiver/sources/mqtt.js";
export { deadLetterFile, type DeadLetter, type DeadLetterSink, type MessageFormatOptions } from "./receiver/sources/message-format.js";
export type { DecodedStream } from "./receiver/sources/direct.js";
export { KafkaUtils, type KafkaParams, type KafkaStreamOptions } from "./receiver/sources/kafka.js";
export { closeRedisSinks, type RedisSinkOptions } from "./sinks/redis.js";
export { closeNatsSinks, type NatsSinkOptions } from "./sinks/nats.js";
export { closeBrokerSinks, type RabbitMQSinkOptions, type MqttSinkOptions } from "./sinks/brokers.js";
export type { SparkListener, JobInfo, StageInfo, TaskInfo } from "./scheduler/events.js";
export { webUi } from "./ui/index.js";
