package dev.sluice.peers;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import scala.Tuple2;

/**
 * The benchmark's jobs for Spark Streaming (DStreams, local[2]), each the counterpart of
 * bench/peers/sluice-peer.ts and FlinkPeer.java, written as the course writes them.
 *
 * <p>Usage: SparkPeer (wordcount|totals|window|keyed) PORT INTERVAL_MS | SparkPeer batch FILE
 *
 * <p>Streaming jobs read lines from 127.0.0.1:PORT (socketTextStream). Each batch, marker keys
 * ("ts:SENDMS") of the output not printed before are printed as "lat SENDMS NOWMS".
 */
public final class SparkPeer {
  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    SparkConf conf =
        new SparkConf()
            .setMaster("local[2]")
            .setAppName("peer-" + scenario)
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false");
    if (scenario.equals("batch")) {
      batch(new JavaSparkContext(conf), args[1]);
      return;
    }
    int port = Integer.parseInt(args[1]);
    long iv = Long.parseLong(args[2]);
    // Receivers cut blocks every 200 ms by default: a shorter batch interval needs shorter
    // blocks, as Spark's tuning guide says.
    conf.set("spark.streaming.blockInterval", Math.min(200, iv / 2) + "ms");
    JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.milliseconds(iv));
    ssc.sparkContext().setLogLevel("ERROR");
    ssc.checkpoint(Files.createTempDirectory("spark-peer-ck").toString());
    JavaDStream<String> lines = ssc.socketTextStream("127.0.0.1", port);
    JavaPairDStream<String, Long> pairs =
        lines.flatMap(l -> Arrays.asList(l.split(" ")).iterator()).mapToPair(w -> new Tuple2<>(w, 1L));
    JavaPairDStream<String, Long> out =
        switch (scenario) {
          case "wordcount" -> pairs.reduceByKey(Long::sum);
          case "totals" ->
              pairs.updateStateByKey(
                  (List<Long> vs, org.apache.spark.api.java.Optional<Long> old) -> {
                    long t = old.orElse(0L);
                    for (long v : vs) t += v;
                    return org.apache.spark.api.java.Optional.of(t);
                  });
          case "window" ->
              pairs.reduceByKeyAndWindow(
                  Long::sum, (a, b) -> a - b, Durations.milliseconds(3 * iv), Durations.milliseconds(iv));
          case "keyed" ->
              lines
                  .mapToPair(l -> new Tuple2<>(l.substring(0, l.indexOf(' ')), 1L))
                  .reduceByKeyAndWindow(
                      Long::sum, (a, b) -> a - b, Durations.milliseconds(4 * iv), Durations.milliseconds(iv));
          default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        };
    Set<String> printed = new HashSet<>();
    out.foreachRDD(
        (JavaPairRDD<String, Long> rdd) -> {
          List<String> markers = rdd.keys().filter(k -> k.startsWith("ts:")).collect();
          long now = System.currentTimeMillis();
          StringBuilder sb = new StringBuilder();
          for (String m : markers)
            if (printed.add(m)) sb.append("lat ").append(m.substring(3)).append(' ').append(now).append('\n');
          System.out.print(sb);
          System.out.flush();
        });
    ssc.start();
    ssc.awaitTermination();
  }

  /** The batch word count as an RDD job: distinct words and total count. */
  static void batch(JavaSparkContext sc, String file) {
    sc.setLogLevel("ERROR");
    long start = System.currentTimeMillis();
    List<Tuple2<String, Long>> counts =
        sc.textFile(file)
            .flatMap(l -> Arrays.asList(l.split(" ")).iterator())
            .filter(w -> !w.isEmpty())
            .mapToPair(w -> new Tuple2<>(w, 1L))
            .reduceByKey(Long::sum)
            .collect();
    long total = 0;
    for (Tuple2<String, Long> t : counts) total += t._2();
    System.out.println("words " + counts.size() + " " + total + " " + (System.currentTimeMillis() - start));
    sc.stop();
  }
}
