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
} from "./core/errors.js";
export { HashPartitioner, type Partitioner } from "./shuffle/partitioner.js";
export { pyStr, pyRepr } from "./util/py-format.js";
