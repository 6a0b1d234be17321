/** 6291456 → "6 MB", 4718592 → "4.5 MB", 900 → "900 bytes": sizes as people write them. */
export function humanBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}
