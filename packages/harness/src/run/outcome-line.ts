import type { RunOutcome } from '@crossrt/core';

/**
 * A run outcome in one line, for reasons, notes and errors: its status and the first line of its error.
 * `brief` keeps only what ORT's status message says (ORT nests the node chain before it), at most 160
 * characters, for lists that name several targets.
 */
export function outcomeLine(o: Pick<RunOutcome, 'status' | 'error'>, options: { brief?: boolean } = {}): string {
  if (!o.error) return o.status;
  const line = o.error.message.split('\n')[0]!;
  return `${o.status}: ${options.brief ? briefReason(line) : line}`;
}

function briefReason(line: string): string {
  const last = line.lastIndexOf('Status Message: ');
  const core = last >= 0 ? line.slice(last + 'Status Message: '.length) : line;
  return core.length > 160 ? `${core.slice(0, 157)}...` : core;
}
