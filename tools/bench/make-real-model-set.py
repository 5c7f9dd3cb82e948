#!/usr/bin/env python3
"""
A real-model set for the benches (issue 16): torchvision architectures exported by torch.onnx, each an
ONNX backend test-case folder (model.onnx + test_data_set_0/input_0.pb, output_0.pb) whose expected
output is the PyTorch module's own (the source oracle). Weights are random (seeded; no network), which
leaves sizes, graphs and kernels as in the trained models. About 1.23 GB in total.
Usage: /usr/bin/python3 tools/bench/make-real-model-set.py <out-dir> [name ...]
Needs torch + torchvision + onnx (torch 1.13 / torchvision 0.14 / onnx 1.12 tested). Skips folders already made.
"""
import os, sys
import torch, torchvision
from onnx import numpy_helper

MODELS = {  # name: (constructor, input side)
    'mobilenet_v2': (torchvision.models.mobilenet_v2, 224),
    'resnet18': (torchvision.models.resnet18, 224),
    'densenet121': (torchvision.models.densenet121, 224),
    'regnet_y_1_6gf': (torchvision.models.regnet_y_1_6gf, 224),
    'resnet50': (torchvision.models.resnet50, 224),
    'alexnet': (torchvision.models.alexnet, 224),
    'wide_resnet50_2': (torchvision.models.wide_resnet50_2, 224),
    'vgg11': (torchvision.models.vgg11, 224),
}

def main():
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    for name in names:
        make, side = MODELS[name]
        d = os.path.join(out, f'test_{name}')
        if os.path.exists(os.path.join(d, 'test_data_set_0', 'output_0.pb')):
            continue
        torch.manual_seed(0)
        m = make().eval()
        x = torch.rand(1, 3, side, side, generator=torch.Generator().manual_seed(1))
        os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
        with torch.no_grad():
            y = m(x)
            torch.onnx.export(m, x, os.path.join(d, 'model.onnx'), input_names=['x'], output_names=['y'], opset_version=13, do_constant_folding=True)
        for fname, tname, t in (('input_0.pb', 'x', x), ('output_0.pb', 'y', y)):
            with open(os.path.join(d, 'test_data_set_0', fname), 'wb') as f:
                f.write(numpy_helper.from_array(t.numpy(), tname).SerializeToString())
        print(name, os.path.getsize(os.path.join(d, 'model.onnx')), flush=True)

if __name__ == '__main__':
    main()
