/** How a persisted RDD is kept. Every level keeps deserialized partitions in memory today. */
export class StorageLevel {
  static readonly NONE = new StorageLevel("NONE", false);
  static readonly MEMORY_ONLY = new StorageLevel("MEMORY_ONLY", true);
  static readonly MEMORY_AND_DISK = new StorageLevel("MEMORY_AND_DISK", true);
  static readonly MEMORY_ONLY_2 = new StorageLevel("MEMORY_ONLY_2", true);
  static readonly MEMORY_AND_DISK_2 = new StorageLevel("MEMORY_AND_DISK_2", true);
  static readonly MEMORY_AND_DISK_SER = new StorageLevel("MEMORY_AND_DISK_SER", true);
  static readonly DISK_ONLY = new StorageLevel("DISK_ONLY", true);

  private constructor(
    readonly name: string,
    readonly useMemory: boolean,
  ) {}

  toString(): string {
    return this.name;
  }
}
