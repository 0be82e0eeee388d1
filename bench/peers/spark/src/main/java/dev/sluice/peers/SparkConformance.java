package dev.sluice.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import scala.Tuple2;

/**
 * Spark Streaming as the oracle of scripts/conformance.mjs: the operations it names, over the
 * batches of words in the input file (one line per batch, words separated by spaces), each batch
 * one queued RDD (so batch boundaries are the same as Sluice's); prints "op<TAB>batch<TAB>json"
 * for every operation's output of every batch.
 * Usage: SparkConformance <input file> <checkpoint dir> <extra batches>
 */
public final class SparkConformance {
  private static final Map<String, Map<Integer, List<String>>> OUT = new ConcurrentHashMap<>();

  private static String json(Object o) {
    if (o instanceof Tuple2<?, ?> t) return "[" + json(t._1()) + "," + json(t._2()) + "]";
    if (o instanceof String s) return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    if (o instanceof Iterable<?> it) {
      List<String> parts = new ArrayList<>();
      for (Object x : it) parts.add(json(x));
      Collections.sort(parts);
      return "[" + String.join(",", parts) + "]";
    }
    if (o instanceof Optional<?> opt) return opt.isPresent() ? json(opt.get()) : "null";
    if (o instanceof org.apache.spark.api.java.Optional<?> opt) return opt.isPresent() ? json(opt.get()) : "null";
    return String.valueOf(o);
  }

  private static <T> void record(String op, JavaDStream<T> stream) {
    stream.foreachRDD((rdd, time) -> {
      List<String> rows = new ArrayList<>();
      for (T x : rdd.collect()) rows.add(json(x));
      Collections.sort(rows);
      OUT.computeIfAbsent(op, k -> new TreeMap<>()).put((int) (time.milliseconds() / 1000), rows);
    });
  }

  private static <K, V> void record(String op, JavaPairDStream<K, V> stream) {
    record(op, stream.map(kv -> kv));
  }

  private static JavaDStream<String> queue(JavaStreamingContext ssc, List<List<String>> batches) {
    Queue<JavaRDD<String>> q = new LinkedList<>();
    for (List<String> b : batches) q.add(ssc.sparkContext().parallelize(b, 2));
    return ssc.queueStream(q, true);
  }

  /** A running count per word that says "timeout N" when the word was idle for 2 s. */
  private static JavaDStream<Tuple2<String, String>> timingOut(JavaStreamingContext ssc, List<List<String>> batches) {
    return queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L)).mapWithState(
        org.apache.spark.streaming.StateSpec.function(
            (String k, org.apache.spark.api.java.Optional<Long> v, org.apache.spark.streaming.State<Long> s) -> {
              if (s.isTimingOut()) return new Tuple2<>(k, "timeout " + s.get());
              long t = (s.exists() ? s.get() : 0L) + v.orElse(0L);
              s.update(t);
              return new Tuple2<>(k, String.valueOf(t));
            }).timeout(Durations.seconds(2)));
  }

  public static void main(String[] args) throws Exception {
    List<List<String>> batches = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      List<String> words = new ArrayList<>();
      for (String w : line.split(" ")) if (!w.isEmpty()) words.add(w);
      batches.add(words);
    }
    int extra = Integer.parseInt(args[2]);
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("sluice-conformance")
        .set("spark.ui.enabled", "false").set("spark.default.parallelism", "2");
    JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.seconds(1));
    ssc.sparkContext().setLogLevel("ERROR");
    ssc.checkpoint(args[1]);

    record("map", queue(ssc, batches).map(w -> w + "!"));
    record("flatMap", queue(ssc, batches).flatMap(w -> List.of(w, w.toUpperCase()).iterator()));
    record("filter", queue(ssc, batches).filter(w -> w.length() > 1));
    record("count", queue(ssc, batches).count());
    record("countByValue", queue(ssc, batches).countByValue());
    JavaPairDStream<String, Long> ones = queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L));
    record("reduceByKey", ones.reduceByKey(Long::sum));
    record("groupByKey", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L)).groupByKey());
    record("window", queue(ssc, batches).window(Durations.seconds(3), Durations.seconds(1)));
    record("countByWindow", queue(ssc, batches).countByWindow(Durations.seconds(3), Durations.seconds(1)));
    record("reduceByKeyAndWindow", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L))
        .reduceByKeyAndWindow(Long::sum, Durations.seconds(3), Durations.seconds(1)));
    record("reduceByKeyAndWindowInv", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L))
        .reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, Durations.seconds(3), Durations.seconds(1)));
    record("countByValueAndWindow", queue(ssc, batches)
        .countByValueAndWindow(Durations.seconds(3), Durations.seconds(1)));
    record("groupByKeyAndWindow", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L))
        .groupByKeyAndWindow(Durations.seconds(2), Durations.seconds(1)));
    record("updateStateByKey", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L))
        .updateStateByKey((List<Long> vs, org.apache.spark.api.java.Optional<Long> s) -> {
          long total = s.orElse(0L);
          for (long v : vs) total += v;
          return org.apache.spark.api.java.Optional.of(total);
        }));
    JavaPairDStream<String, Integer> lens = queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, w.length()));
    JavaPairDStream<String, Long> ones2 = queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L)).reduceByKey(Long::sum);
    record("join", lens.join(ones2));
    record("leftOuterJoin", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, w.length()))
        .leftOuterJoin(queue(ssc, batches).filter(w -> w.length() > 2).mapToPair(w -> new Tuple2<>(w, 1L))));
    record("cogroup", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L))
        .cogroup(queue(ssc, batches).filter(w -> w.length() > 2).mapToPair(w -> new Tuple2<>(w, 2L))));
    record("union", queue(ssc, batches).union(queue(ssc, batches).map(String::toUpperCase)));
    record("transform", queue(ssc, batches).transform(rdd -> rdd.distinct()));
    record("transformWith", queue(ssc, batches).transformWith(queue(ssc, batches).map(String::toUpperCase),
        (JavaRDD<String> a, JavaRDD<String> b, org.apache.spark.streaming.Time t) -> a.union(b)));
    record("mapWithState", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L)).mapWithState(
        org.apache.spark.streaming.StateSpec.function(
            (String k, org.apache.spark.api.java.Optional<Long> v, org.apache.spark.streaming.State<Long> s) -> {
              long t = (s.exists() ? s.get() : 0L) + v.orElse(0L);
              s.update(t);
              return new Tuple2<>(k, t);
            })));

    JavaDStream<Tuple2<String, String>> timeouts = timingOut(ssc, batches);
    timeouts.checkpoint(Durations.seconds(1)); // idle keys are looked for in checkpointing batches only
    record("mapWithStateTimeout", timeouts);
    record("mapWithStateTimeoutDefault", timingOut(ssc, batches));
    record("reduce", queue(ssc, batches).map(String::length).reduce(Integer::sum));
    record("reduceByWindow", queue(ssc, batches).map(String::length)
        .reduceByWindow(Integer::sum, Durations.seconds(3), Durations.seconds(1)));
    record("reduceByWindowInv", queue(ssc, batches).map(String::length)
        .reduceByWindow(Integer::sum, (a, b) -> a - b, Durations.seconds(3), Durations.seconds(1)));
    record("mapValues", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L)).mapValues(v -> v * 10));
    record("flatMapValues", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, w.length()))
        .flatMapValues(n -> List.of(n, n + 1).iterator()));
    record("rightOuterJoin", queue(ssc, batches).filter(w -> w.length() > 2).mapToPair(w -> new Tuple2<>(w, 1L))
        .rightOuterJoin(queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, w.length()))));
    record("fullOuterJoin", queue(ssc, batches).filter(w -> w.length() < 3).mapToPair(w -> new Tuple2<>(w, w.length()))
        .fullOuterJoin(queue(ssc, batches).filter(w -> w.length() > 2).mapToPair(w -> new Tuple2<>(w, 1L))));
    record("mapPartitions", queue(ssc, batches).mapPartitions(it -> {
      int n = 0;
      while (it.hasNext()) n += it.next().length();
      return List.of(n).iterator();
    }));
    record("repartition", queue(ssc, batches).repartition(3));
    record("combineByKey", queue(ssc, batches).mapToPair(w -> new Tuple2<>(w, 1L))
        .combineByKey(v -> v, (Long c, Long v) -> c + v, (Long a, Long b) -> a + b, new org.apache.spark.HashPartitioner(2)));

    ssc.start();
    int total = batches.size() + extra;
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      boolean done = OUT.size() > 0 && OUT.values().stream().allMatch(m -> m.size() >= total);
      if (done) break;
      Thread.sleep(100);
    }
    ssc.stop(true, false);
    for (Map.Entry<String, Map<Integer, List<String>>> op : new TreeMap<>(OUT).entrySet()) {
      int i = 0;
      for (List<String> rows : op.getValue().values()) {
        if (i >= total) break;
        System.out.println(op.getKey() + "\t" + i++ + "\t[" + String.join(",", rows) + "]");
      }
    }
  }
}
