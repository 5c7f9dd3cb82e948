export { findPython, pythonCandidates, PYTHON_INSTALL_HINT, type PythonInterpreter } from './python-interpreter.js';
export { PythonBridge, BridgeClient, BridgeRequestError, BRIDGE_SCRIPT, openBridge } from './bridge-process.js';
export { TorchSource, type TorchBuild, type TorchExportRequest, type TorchExportResult, type TorchForwardResult, type TorchModuleCall, type TensorSpec } from './torch-source.js';
export { OnnxConverter, type OnnxConvertResult, type OnnxCheckerResult, type OnnxInfo } from './onnx-converter.js';
