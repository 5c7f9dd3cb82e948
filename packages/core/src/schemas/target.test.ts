import { describe, expect, it } from 'vitest';
import { parseTargetId } from './target.js';

describe('target ids', () => {
  it('parses runtime:backend[@environment] with node as the default environment', () => {
    expect(parseTargetId('ort-node:cpu')).toEqual({ id: 'ort-node:cpu', runtime: 'ort-node', backend: 'cpu', environment: 'node' });
    expect(parseTargetId('ort-web:webgpu@chromium')).toMatchObject({ runtime: 'ort-web', backend: 'webgpu', environment: 'chromium' });
  });
  it('rejects malformed ids', () => {
    for (const bad of ['ort-node', 'ort-node:', ':cpu', 'ORT:cpu', 'a:b@', 'a:b@c@d', 'a b:c']) expect(parseTargetId(bad)).toBeUndefined();
  });
});
