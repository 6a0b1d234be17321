/**
 * Every secret the process has seen (AppSecret, access tokens, callback tokens, AES keys, API
 * keys) is remembered here, so any text bound for a log line or an error can be scrubbed even
 * when the code that writes it never knew the value was secret.
 */
const secrets = new Set<string>();
// The same, as an array: every log line walks it, and a Set's iterator is an object per line.
let secretList: string[] = [];

// Values shorter than this would scrub ordinary words; real secrets are far longer.
const MIN_SECRET_LENGTH = 6;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/(access_token=)[^&\s"']+/gi, '$1[REDACTED]'],
  [/(secret=)[^&\s"']+/gi, '$1[REDACTED]'],
  [/("(?:access_token|secret|appsecret|token|encoding_?aes_?key)"\s*:\s*")[^"]*"/gi, '$1[REDACTED]"'],
  [/(Bearer\s+)[^\s"']+/gi, '$1[REDACTED]'],
];

export function rememberSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH && !secrets.has(value)) {
    secrets.add(value);
    secretList = [...secrets];
  }
}

export function forgetSecrets(): void {
  secrets.clear();
  secretList = [];
}

// Every pattern above needs one of these words: most log lines have none and skip the four.
const PATTERN_HINT = /access_token|secret|token|encoding_?aes_?key|bearer/i;

export function redact(text: string): string {
  let out = text;
  if (PATTERN_HINT.test(out)) for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  for (const secret of secretList) {
    if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}
