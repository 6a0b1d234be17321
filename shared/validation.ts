import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini ships without messages ("Invalid input"); the English locale costs ~3 KB per bundle
// and turns every issue into a reason a caller can act on.
z.config(en());

export interface FieldProblem {
  path: string;
  reason: string;
}

/** `['message', 'mediaIds', 0]` → `message.mediaIds[0]`; the root is `(body)`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

export function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>): FieldProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        reason: 'unknown field',
      }));
    }
    // A union that explains itself ("audience takes either {all: true} or {tagId}, not both").
    if (issue.code === 'invalid_union' && issue.message !== 'Invalid input') {
      return [{ path: formatPath(issue.path), reason: issue.message }];
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that came closest instead of "Invalid input".
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      return describeIssues(closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
    }
    const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
    return [{ path: formatPath(issue.path), reason: missing ? 'is required' : issue.message }];
  });
}
