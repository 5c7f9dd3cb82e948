export {
  type ProbeResult,
  type Runtime,
  type LoadRequest,
  type WarmRequest,
  type LoadedSession,
  type RuntimeSession,
  RuntimeFailure,
} from './runtime.js';
export {
  chromiumLibDir,
  webGpuNativeEnvironments,
  findTarget,
  parseTargetList,
  type TargetDescriptor,
  WASM_TIERING_BUDGET,
  TARGET_CATALOGUE,
} from './target-catalogue.js';
export { parsePlacementLog, readPlacementLog, type PlacementLog } from './placement-log.js';
export { type HostExecuteReply, type HostBatchItem, HOST_ENVIRONMENT_VAR } from './host/host-protocol.js';
export { selectHostEnvironment, HostFailure, type TargetHostOptions, TargetHost } from './host/target-host.js';
export { hostProcessSpec, HOST_ENV_DEFAULTS } from './host/host-process.js';
export { processTreeRssBytes, processDescendants } from './host/process-tree-memory.js';
export { hostLoadSettings, printsPlacementLog, threadsPerSession, type HostLoadPolicy } from './load-settings.js';
export { startEarlyHost, earlyHostCount } from './host/early-hosts.js';
export { hostWritesDrained } from './host/ipc-writes.js';
export { describeHostMemoryLimit, MEMORY_LIMIT_ENV, HOST_MEMORY_RULE } from './host/host-memory-limit.js';
export { modelSizeRefusal } from './model-size-limit.js';
