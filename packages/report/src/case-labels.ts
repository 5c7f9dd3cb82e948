import type { Report } from '@crossrt/core';

/**
 * Case ids are paths (`/usr/share/libonnx-testdata/data/node/test_add`); tables read better without
 * the directory every case shares. Returns that prefix (with trailing `/`, or '') and a label per id.
 */
export function caseLabels(report: Report): { prefix: string; label: (id: string) => string } {
  const ids = report.cases.map((c) => c.id);
  if (ids.length < 2) return { prefix: '', label: (id) => id };
  let prefix = ids[0]!.slice(0, ids[0]!.lastIndexOf('/') + 1);
  for (const id of ids) {
    while (prefix && !id.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  }
  return {
    prefix,
    label: (id) => (prefix && id.startsWith(prefix) && id.length > prefix.length ? id.slice(prefix.length) : id),
  };
}
