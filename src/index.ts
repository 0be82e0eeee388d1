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
  UnsupportedOperationError,
  EmptyRDDError,
  InputPathError,
  TaskFailedError,
  RecordFormatError,
} from "./util/errors.js";
export { HashPartitioner, type Partitioner } from "./shuffle/partitioner.js";
export { pyStr, pyRepr } from "./util/py-format.js";
export { inferAvroSchema, type AvroSchema } from "./util/formats/avro.js";
export { StreamingContext, type StreamingContextOptions, type StreamingContextState } from "./streaming/context.js";
export { DStream } from "./streaming/dstream.js";
export { ManualClock, SystemClock, type Clock } from "./util/clock.js";
export type { StreamingListener, BatchInfo, ReceiverInfo, OutputOperationInfo } from "./events/streaming.js";
export { StreamingJobError } from "./streaming/job-scheduler.js";
export { Receiver } from "./receiver/receiver.js";
export { ReceiverStartError } from "./receiver/supervisor.js";
export { Seconds, Milliseconds, Minutes } from "./util/duration.js";
export { State, StateSpec, NoSuchElementError, type MappingFunction } from "./streaming/state.js";
export type { MapWithStateStream } from "./streaming/dstream.js";
export { EventTimeStream, EventTimeWindows, type EventTimeResult } from "./streaming/event-time.js";
export type { EventWindow, OutputMode } from "./streaming/dstream/event-time-window.js";
export { SparkSession, DataFrameReader } from "./sql/session.js";
export { DataFrame, GroupedData, DataFrameWriter, Row, type SortOptions } from "./sql/dataframe.js";
export { Column, functions, functions as F, col, lit, expr, desc, asc, type ColumnOrName } from "./sql/column.js";
export { AnalysisException } from "./sql/analysis.js";
import "./sql/rdd-to-df.js";
export { StructType, StructField, SchemaMismatchError, SqlError, type SqlTypeName } from "./sql/types.js";
export { RedisStreams, type StreamEntry, type RedisStreamOptions } from "./connectors/redis/source.js";
export { NatsJetStreamUtils, type JetStreamMessage, type NatsJetStreamOptions } from "./connectors/nats/source.js";
export { RabbitMQUtils, RabbitMQReceiver, type RabbitMQOptions } from "./connectors/rabbitmq/source.js";
export type { PostgresSinkOptions } from "./connectors/postgres.js";
export { MQTTUtils, MQTTReceiver } from "./connectors/mqtt/source.js";
export {
  deadLetterFile,
  type DeadLetter,
  type DeadLetterSink,
  type MessageFormatOptions,
} from "./connectors/message-format.js";
export type { DecodedStream } from "./connectors/direct.js";
export { KafkaUtils, type KafkaParams, type KafkaStreamOptions } from "./connectors/kafka.js";
export type { RedisSinkOptions } from "./connectors/redis/sink.js";
export type { NatsSinkOptions } from "./connectors/nats/sink.js";
export type { RabbitMQSinkOptions } from "./connectors/rabbitmq/sink.js";
export type { MqttSinkOptions } from "./connectors/mqtt/sink.js";
export type { BatchSink, SinkBatch } from "./streaming/sink.js";
export { addStreamMethods, type StreamMethods } from "./streaming/extend.js";
export type { SparkPlugin, PluginInstance } from "./core/plugins.js";
export { Connections } from "./util/connections.js";
export type { SparkListener, JobInfo, StageInfo, TaskInfo } from "./events/scheduler.js";
export { webUi, webUiPlugin } from "./ui/index.js";

// The package's wiring, in one place: the connectors' stream outputs and the web UI.
import { connectorStreamMethods } from "./connectors/stream-methods.js";
import { SparkContext as Context } from "./core/context.js";
import { addStreamMethods as addMethods } from "./streaming/extend.js";
import { webUiPlugin as ui } from "./ui/index.js";

addMethods(connectorStreamMethods);
Context.registerPlugin(ui);
