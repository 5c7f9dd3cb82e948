import { readFile } from 'node:fs/promises';
import { CrossrtError } from './errors.js';

/**
 * Read a user-given text file (config, known failures, tolerances): a missing or unreadable file is a
 * typed error naming what kind of file it was, e.g. `config file not found: x.json`.
 */
export async function readUserTextFile(path: string, kind: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CrossrtError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `${kind} ${missing ? 'not found' : 'unreadable'}: ${path}`,
    );
  }
}

/** The first issue of a failed schema parse as `field.path: message` (`(root)` for the top level). */
export function firstSchemaIssue(error: {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
