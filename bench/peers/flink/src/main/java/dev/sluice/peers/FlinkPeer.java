package dev.sluice.peers;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingProcessingTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.flink.util.Collector;

/**
 * The benchmark's jobs for Flink (DataStream API, a local environment of parallelism 2), each the
 * counterpart of bench/peers/sluice-peer.ts and SparkPeer.java. Flink has no micro-batches, so a
 * batch interval becomes a processing-time window of that length.
 *
 * <p>Usage: FlinkPeer (wordcount|totals|window|keyed) PORT INTERVAL_MS | FlinkPeer batch FILE
 *
 * <p>Streaming jobs read lines from 127.0.0.1:PORT. Marker keys ("ts:SENDMS") reach the sink,
 * which prints "lat SENDMS NOWMS" for each: the harness measures latency and completeness from
 * them.
 */
public final class FlinkPeer {
  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
    if (scenario.equals("batch")) {
      batch(env, args[1]);
      return;
    }
    int port = Integer.parseInt(args[1]);
    Duration iv = Duration.ofMillis(Long.parseLong(args[2]));
    DataStream<String> lines = env.socketTextStream("127.0.0.1", port);
    DataStream<Tuple2<String, Long>> out;
    switch (scenario) {
      case "wordcount" ->
          out = words(lines).keyBy(t -> t.f0).window(TumblingProcessingTimeWindows.of(iv)).reduce(FlinkPeer::sum);
      case "totals" ->
          out =
              words(lines)
                  .keyBy(t -> t.f0)
                  .window(TumblingProcessingTimeWindows.of(iv))
                  .reduce(FlinkPeer::sum)
                  .keyBy(t -> t.f0)
                  .process(new RunningTotal());
      case "window" ->
          out =
              words(lines)
                  .keyBy(t -> t.f0)
                  .window(SlidingProcessingTimeWindows.of(iv.multipliedBy(3), iv))
                  .reduce(FlinkPeer::sum);
      case "keyed" ->
          out =
              lines
                  .map(l -> Tuple2.of(l.substring(0, l.indexOf(' ')), 1L))
                  .returns(Types.TUPLE(Types.STRING, Types.LONG))
                  .keyBy(t -> t.f0)
                  .window(SlidingProcessingTimeWindows.of(iv.multipliedBy(4), iv))
                  .reduce(FlinkPeer::sum);
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    }
    out.filter(t -> t.f0.startsWith("ts:")).addSink(new MarkerSink()).setParallelism(1);
    env.execute("peer-" + scenario);
  }

  static DataStream<Tuple2<String, Long>> words(DataStream<String> lines) {
    return lines
        .flatMap(
            (String l, Collector<Tuple2<String, Long>> c) -> {
              for (String w : l.split(" ")) if (!w.isEmpty()) c.collect(Tuple2.of(w, 1L));
            })
        .returns(Types.TUPLE(Types.STRING, Types.LONG));
  }

  static Tuple2<String, Long> sum(Tuple2<String, Long> a, Tuple2<String, Long> b) {
    return Tuple2.of(a.f0, a.f1 + b.f1);
  }

  /** updateStateByKey's counterpart: a total per key in keyed state, emitted when it changes. */
  static final class RunningTotal extends KeyedProcessFunction<String, Tuple2<String, Long>, Tuple2<String, Long>> {
    private transient ValueState<Long> total;

    @Override
    public void open(OpenContext ctx) {
      total = getRuntimeContext().getState(new ValueStateDescriptor<>("total", Types.LONG));
    }

    @Override
    public void processElement(Tuple2<String, Long> in, Context ctx, Collector<Tuple2<String, Long>> out)
        throws Exception {
      Long old = total.value();
      long now = (old == null ? 0L : old) + in.f1;
      total.update(now);
      out.collect(Tuple2.of(in.f0, now));
    }
  }

  static final class MarkerSink implements SinkFunction<Tuple2<String, Long>> {
    @Override
    public void invoke(Tuple2<String, Long> t, Context ctx) {
      System.out.println("lat " + t.f0.substring(3) + " " + System.currentTimeMillis());
    }
  }

  static final AtomicLong DISTINCT = new AtomicLong();
  static final AtomicLong TOTAL = new AtomicLong();

  /** Counts the word count's results; the local environment runs in this JVM, so statics are shared. */
  static final class CountingSink implements SinkFunction<Tuple2<String, Long>> {
    @Override
    public void invoke(Tuple2<String, Long> t, Context ctx) {
      DISTINCT.incrementAndGet();
      TOTAL.addAndGet(t.f1);
    }
  }

  /**
   * The batch word count (Flink's batch execution mode): distinct words, total count, and the
   * job's net run time (without starting the local cluster, as Spark's and Sluice's figures
   * leave out their contexts' start).
   */
  static void batch(StreamExecutionEnvironment env, String file) throws Exception {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    words(env.fromSource(
            FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(file)).build(),
            WatermarkStrategy.noWatermarks(),
            "text"))
        .keyBy(t -> t.f0)
        .reduce(FlinkPeer::sum)
        .addSink(new CountingSink());
    JobExecutionResult r = env.execute("batch-wordcount");
    System.out.println("words " + DISTINCT.get() + " " + TOTAL.get() + " " + r.getNetRuntime());
  }
}
