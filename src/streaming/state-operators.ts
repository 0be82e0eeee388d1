import type { RDD } from "../core/rdd.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import type { DStream, MapWithStateStream } from "./dstream.js";
import { MapWithStateDStream } from "./dstream/map-with-state.js";
import { StateDStream } from "./dstream/state-dstream.js";
import type { StateSpec } from "./state.js";

// The stateful pair operators of DStream (its methods are one-liners over these).

export function updateStateByKey<K, V, S>(
  stream: DStream<[K, V]>,
  updateFunc: (values: V[], state: S | undefined) => S | undefined,
  numPartitions?: number,
  initialRDD?: RDD<[K, S]> | [K, S][],
): DStream<[K, S]> {
  const partitioner = new HashPartitioner(stream.defaultPartitions(numPartitions));
  const initial = Array.isArray(initialRDD) ? stream.ssc.sparkContext.parallelize(initialRDD) : initialRDD;
  return stream.derive(new StateDStream(stream, updateFunc, partitioner, initial));
}

export function mapWithState<K, V, S, M>(
  stream: DStream<[K, V]>,
  spec: StateSpec<K, V, S, M>,
): MapWithStateStream<K, S, M> {
  const partitioner = new HashPartitioner(stream.defaultPartitions(spec.partitions));
  const internal = stream.derive(new MapWithStateDStream(stream, spec, partitioner));
  const mapped = internal.mapBatches((rdd) => rdd.flatMap((r) => (r[0] === 1 ? [r[1]] : [])), "MappedWithStateDStream");
  const stateSnapshots = () =>
    internal.mapBatches((rdd) => MapWithStateDStream.states(rdd).mapValues(([s]) => s), "StateSnapshotsDStream");
  return Object.assign(mapped, { stateSnapshots });
}
