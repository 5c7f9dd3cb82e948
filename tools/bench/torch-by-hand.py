"""What a user writes without `crossrt torch`: export the module at each opset, run PyTorch on one
input, and lay the results out as ONNX backend test-case folders for `crossrt conformance`.
Usage: /usr/bin/python3 torch-by-hand.py OUT_DIR FILE.py:BUILDER OPSET [OPSET...]"""
import importlib.util
import os
import sys

import torch
from onnx import numpy_helper

out_dir, spec, *opsets = sys.argv[1:]
path, name = spec.rsplit(":", 1)
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
mod_spec = importlib.util.spec_from_file_location("user_models", path)
module = importlib.util.module_from_spec(mod_spec)
mod_spec.loader.exec_module(module)
torch.manual_seed(0)
model, inputs = getattr(module, name)()
model.eval()
x = torch.rand(inputs["x"]) * 2 - 1
with torch.no_grad():
    y = model(x)
for opset in opsets:
    case = os.path.join(out_dir, f"{name}_opset{opset}")
    os.makedirs(os.path.join(case, "test_data_set_0"), exist_ok=True)
    torch.onnx.export(model, (x,), os.path.join(case, "model.onnx"), opset_version=int(opset), input_names=["x"], output_names=["output"])
    with open(os.path.join(case, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
    with open(os.path.join(case, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(y.numpy(), "output").SerializeToString())
