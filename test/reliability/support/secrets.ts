/**
 * Every line a reliability test file saw (gateway, functions, sandbox, in-process loggers and
 * console), scanned at the end for every secret of the run.
 */
export class LogCollector {
  readonly lines: string[] = [];
  readonly sink = (line: string): void => {
    this.lines.push(line);
  };
}

/** The names of the secrets found in `lines`, each with how many lines hold it. */
export function findSecrets(
  lines: readonly string[],
  secrets: Record<string, string>,
): Array<{ name: string; lines: number }> {
  const found: Array<{ name: string; lines: number }> = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length === 0) throw new Error(`secret ${name} is empty: the scan would prove nothing`);
    const hits = lines.filter((line) => line.includes(value)).length;
    if (hits > 0) found.push({ name, lines: hits });
  }
  return found;
}

/** Named access tokens, for a readable failure. */
export function namedTokens(tokens: Iterable<string>): Record<string, string> {
  return Object.fromEntries([...tokens].map((token, i) => [`access token #${i + 1}`, token]));
}
