import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory (bytes) of a process and all its descendants, read from /proc. A host's engine can
 * live in grandchildren (a browser's renderer and GPU processes), so the whole tree counts.
 * Returns undefined where /proc is not available (non-Linux): the memory limit is then not enforced.
 */
export function processTreeRssBytes(rootPid: number): number | undefined {
  const root = rssOf(rootPid);
  if (root === undefined) return undefined;
  return processDescendants(rootPid).reduce((total, pid) => total + (rssOf(pid) ?? 0), root);
}

/** Every descendant of a process (children, grandchildren, ...), read from /proc; [] where it is gone. */
export function processDescendants(rootPid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([rootPid]);
  const stack = [rootPid];
  while (stack.length > 0) {
    for (const child of childrenOf(stack.pop()!)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return undefined;
  }
}

/** Children are listed per thread (the thread that forked them), so every thread is read. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}
