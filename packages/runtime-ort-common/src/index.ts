export { bridgeOrtSession, timedLoad } from './ort-session-bridge.js';
export { warmupModelBytes } from './warmup-model.js';
