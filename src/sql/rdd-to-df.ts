import { RDD } from "../core/rdd.js";
import type { DataFrame } from "./dataframe.js";
import { SparkSession } from "./session.js";
import type { StructType } from "./types.js";

// PySpark's `rdd.toDF()`: an RDD of rows (objects, or arrays with column names) as a DataFrame of
// the active SparkSession (made if there is none). RDDs live in core, below SQL, so this method
// is added to them here, where SQL is loaded.

declare module "../core/rdd.js" {
  interface RDD<T> {
    /** This RDD's rows as a DataFrame: objects, or arrays named by `schema` (column names or a StructType). */
    toDF(schema?: StructType | string[]): DataFrame;
  }
}

RDD.prototype.toDF = function toDF(this: RDD<unknown>, schema?: StructType | string[]): DataFrame {
  const spark = SparkSession.getActiveSession() ?? SparkSession.builder.getOrCreate();
  return spark.createDataFrame(this, schema);
};
