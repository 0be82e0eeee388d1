const fatal = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as text when they are valid UTF-8, else undefined (never silently mended with U+FFFD). */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatal.decode(bytes);
  } catch {
    return undefined;
  }
}
