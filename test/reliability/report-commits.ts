// Shared by the reliability jobs: prints "committed <batchTime>" for every batch whose outputs
// all succeeded (the harness reads these lines), then runs the context until it stops.
import type { BatchInfo, StreamingContext } from "sluice";

export async function runReportingCommits(ssc: StreamingContext): Promise<void> {
  ssc.addStreamingListener({
    onBatchCompleted: (info: BatchInfo) => {
      if (info.outputOperations.every((op) => !op.failureReason)) process.stdout.write(`committed ${info.batchTime}\n`);
    },
  });
  ssc.start();
  await ssc.awaitTermination();
}
