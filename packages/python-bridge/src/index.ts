export { findPython, PYTHON_INSTALL_HINT } from './python-interpreter.js';
export { BridgeRequestError } from './bridge-process.js';
export { TorchSource, type TorchBuild, type TorchModuleCall, type TensorSpec } from './torch-source.js';
export { OnnxConverter, type OnnxConvertResult, type OnnxCheckerResult } from './onnx-converter.js';
