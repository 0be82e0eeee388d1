/**
 * Where a persisted RDD keeps its partitions, with PySpark's flags and constants. Sluice keeps cached partitions in
 * the driver's memory whatever the level; the level is recorded and shown as PySpark shows it.
 */
export class StorageLevel {
  static readonly NONE = new StorageLevel("NONE", false, false, false, false);
  static readonly DISK_ONLY = new StorageLevel("DISK_ONLY", true, false, false, false);
  static readonly DISK_ONLY_2 = new StorageLevel("DISK_ONLY_2", true, false, false, false, 2);
  static readonly DISK_ONLY_3 = new StorageLevel("DISK_ONLY_3", true, false, false, false, 3);
  static readonly MEMORY_ONLY = new StorageLevel("MEMORY_ONLY", false, true, false, false);
  static readonly MEMORY_ONLY_2 = new StorageLevel("MEMORY_ONLY_2", false, true, false, false, 2);
  static readonly MEMORY_AND_DISK = new StorageLevel("MEMORY_AND_DISK", true, true, false, false);
  static readonly MEMORY_AND_DISK_2 = new StorageLevel("MEMORY_AND_DISK_2", true, true, false, false, 2);
  static readonly MEMORY_AND_DISK_DESER = new StorageLevel("MEMORY_AND_DISK_DESER", true, true, false, true);
  /** Scala's name, kept for jobs written against it (PySpark's levels are all serialized). */
  static readonly MEMORY_AND_DISK_SER = new StorageLevel("MEMORY_AND_DISK_SER", true, true, false, false);
  static readonly OFF_HEAP = new StorageLevel("OFF_HEAP", true, true, true, false);

  private constructor(
    readonly name: string,
    readonly useDisk: boolean,
    readonly useMemory: boolean,
    readonly useOffHeap: boolean,
    readonly deserialized: boolean,
    readonly replication = 1,
  ) {}

  /** As PySpark's `str(level)`: "Memory Serialized 1x Replicated" for MEMORY_ONLY. */
  toString(): string {
    return (
      (this.useDisk ? "Disk " : "") +
      (this.useMemory ? "Memory " : "") +
      (this.useOffHeap ? "OffHeap " : "") +
      (this.deserialized ? "Deserialized " : "Serialized ") +
      `${this.replication}x Replicated`
    );
  }

  /** As PySpark's `repr(level)`: "StorageLevel(False, True, False, False, 1)". */
  repr(): string {
    const b = (x: boolean) => (x ? "True" : "False");
    return (
      `StorageLevel(${b(this.useDisk)}, ${b(this.useMemory)}, ${b(this.useOffHeap)}, ${b(this.deserialized)}, ` +
      `${this.replication})`
    );
  }
}
