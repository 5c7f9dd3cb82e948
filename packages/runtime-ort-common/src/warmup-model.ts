/**
 * A 95-byte ONNX model, `y = Relu(x)` on float32[4] (opset 13), built with @crossrt/model's graph
 * builder (tools/make-warmup-model.mjs prints it). Adapters load it in `warm()` so a runtime's
 * one-time start-up (onnxruntime-web compiling its 14 MB wasm module, ~200 ms) happens while the
 * harness is still reading the real model, not inside the first timed load.
 */
export const WARMUP_MODEL_BASE64 =
  'CAgSDmNyb3NzcnQtd2FybXVwGgExOkIKFgoBeBIBeRoGUmVsdV8wIgRSZWx1OgASBndhcm11cFoPCgF4EgoKCAgBEgQKAggEYg8KAXkSCgoICAESBAoCCARCBAoAEA0=';

export function warmupModelBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(WARMUP_MODEL_BASE64, 'base64'));
}
