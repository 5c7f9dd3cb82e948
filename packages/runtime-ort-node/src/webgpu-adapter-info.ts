import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface WebGpuAdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** How we know: the Vulkan ICD the host was pointed at, or the ICDs installed on the machine. */
  readonly source: string;
}

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * onnxruntime-node does not expose Dawn's adapter info to JS, so the adapter is described from the
 * Vulkan ICD the process can load: VK_ICD_FILENAMES when set (SwiftShader on GPU-less hosts), else
 * the ICD manifests installed on the machine. On macOS/Windows Dawn uses Metal/D3D12 instead.
 */
export function describeWebGpuAdapter(env: NodeJS.ProcessEnv): WebGpuAdapterDescription {
  const forced = env['VK_ICD_FILENAMES'] ?? env['VK_DRIVER_FILES'];
  if (forced) {
    const libs = forced.split(':').map(icdLibrary);
    if (libs.some((l) => /swiftshader/i.test(l))) {
      return {
        vendor: 'google',
        architecture: 'swiftshader',
        description: 'SwiftShader (software Vulkan, CPU-emulated GPU)',
        source: `VK_ICD_FILENAMES=${forced}`,
      };
    }
    return {
      vendor: 'unknown',
      architecture: 'unknown',
      description: `Vulkan ICD ${libs.join(', ')}`,
      source: `VK_ICD_FILENAMES=${forced}`,
    };
  }
  if (process.platform === 'darwin')
    return { vendor: 'apple', architecture: 'metal', description: 'Metal adapter (system)', source: 'platform' };
  if (process.platform === 'win32')
    return { vendor: 'unknown', architecture: 'd3d12', description: 'D3D12 adapter (system)', source: 'platform' };
  const installed = ICD_DIRS.flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(d, f))
      : [],
  );
  const names = installed.map((f) => basename(f, '.json'));
  return {
    vendor: 'system',
    architecture: 'vulkan',
    description: `system Vulkan driver (${names.join(', ') || 'no ICD manifest found'})`,
    source: 'installed ICD manifests',
  };
}

function icdLibrary(manifestPath: string): string {
  try {
    const json = JSON.parse(readFileSync(manifestPath, 'utf8')) as { ICD?: { library_path?: string } };
    return json.ICD?.library_path ?? manifestPath;
  } catch {
    return manifestPath;
  }
}
