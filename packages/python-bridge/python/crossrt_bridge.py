"""crossrt's Python bridge: the source-framework side of a source-oracle run.

One process serves one source model. Requests come as JSON lines on stdin; each reply is one JSON line
on file descriptor 3, so whatever the user's code, torch or onnx print on stdout/stderr stays log
output and can never break the protocol. Tensors travel as .npz files. Everything else (inputs,
matching, comparison, reports) is crossrt's TypeScript side.
"""
import importlib.util
import json
import os
import sys
import time
import traceback
import warnings

PROTOCOL = os.fdopen(3, "w", buffering=1)
STATE = {"modules": {}, "next": 0}


def reply(obj):
    PROTOCOL.write(json.dumps(obj) + "\n")
    PROTOCOL.flush()


def tb_tail(n=12):
    return [line.rstrip() for line in traceback.format_exc().splitlines()[-n:]]


class BridgeError(Exception):
    """A failure the TypeScript side turns into a typed CrossrtError (code given here)."""

    def __init__(self, code, message, hint=None):
        super().__init__(message)
        self.code, self.hint = code, hint


def versions(_req):
    import numpy
    out = {"python": sys.version.split()[0], "executable": sys.executable, "numpy": numpy.__version__}
    for name in ("torch", "torchvision", "onnx"):
        try:
            out[name] = __import__(name).__version__
        except Exception as e:  # reported, the TS side decides whether it is needed
            out[name] = None
            out[name + "Error"] = f"{type(e).__name__}: {e}"
    if out.get("torch"):
        import torch
        out["dynamoExporter"] = hasattr(torch.onnx, "dynamo_export")
    return out


def load_callable(spec):
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise BridgeError("SOURCE_CALLABLE_INVALID", f'"{spec}" is not FILE.py:CALLABLE', "e.g. models.py:build")
    if not os.path.isfile(path):
        raise BridgeError("SOURCE_CALLABLE_INVALID", f"{path} does not exist", "give the Python file that defines the builder, relative to the working directory")
    mod_name = "crossrt_user_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        spec_ = importlib.util.spec_from_file_location(mod_name, path)
        module = importlib.util.module_from_spec(spec_)
        spec_.loader.exec_module(module)
    except Exception as e:
        raise BridgeError("SOURCE_CALLABLE_INVALID", f"importing {path} raised {type(e).__name__}: {e}", "fix the module so that `python3 -c 'import …'` works") from e
    fn = getattr(module, name, None)
    if fn is None or not callable(fn):
        have = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_"))[:12]
        raise BridgeError("SOURCE_CALLABLE_INVALID", f"{path} defines no callable {name}", f"callables there: {', '.join(have) or 'none'}")
    return fn


def normalize_inputs(spec):
    """Builder-declared inputs: {name: shape} / {name: (shape, dtype)} / {name: tensor}."""
    import torch
    out = []
    for name, v in spec.items():
        if isinstance(v, torch.Tensor):
            out.append({"name": name, "dims": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")})
        elif isinstance(v, (tuple, list)) and len(v) == 2 and isinstance(v[1], str):
            out.append({"name": name, "dims": [int(d) for d in v[0]], "dtype": v[1]})
        else:
            out.append({"name": name, "dims": [int(d) for d in v], "dtype": "float32"})
    return out


def build(req):
    import torch
    fn = load_callable(req["callable"])
    torch.manual_seed(int(req.get("seed", 0)))
    try:
        built = fn(**req.get("kwargs", {}))
    except Exception as e:
        raise BridgeError("SOURCE_CALLABLE_INVALID", f"{req['callable']} raised {type(e).__name__}: {e}", "the builder must return an nn.Module, or (module, {input name: shape})") from e
    inputs = None
    if isinstance(built, tuple) and len(built) == 2 and isinstance(built[1], dict):
        built, inputs = built
    elif isinstance(built, dict) and "module" in built:
        built, inputs = built["module"], built.get("inputs")
    if not isinstance(built, torch.nn.Module):
        raise BridgeError("SOURCE_CALLABLE_INVALID", f"{req['callable']} returned {type(built).__name__}, not a torch.nn.Module", "return the module, or (module, {input name: shape})")
    built.eval()
    handle = STATE["next"]
    STATE["next"] += 1
    STATE["modules"][handle] = built
    return {
        "handle": handle, "moduleClass": type(built).__name__,
        "inputs": normalize_inputs(inputs) if inputs else None,
        "parameters": int(sum(p.numel() for p in built.parameters())),
        "modules": sum(1 for _ in built.named_modules()) - 1,
    }


def example_inputs(specs, seed):
    import torch
    g = torch.Generator().manual_seed(int(seed))
    xs = []
    for s in specs:
        dt = getattr(torch, s["dtype"])
        if dt.is_floating_point:
            xs.append(torch.rand(s["dims"], generator=g, dtype=torch.float32).to(dt) * 2 - 1)
        elif dt == torch.bool:
            xs.append(torch.rand(s["dims"], generator=g) > 0.5)
        else:
            xs.append(torch.randint(0, 10, s["dims"], generator=g, dtype=dt))
    return tuple(xs)


def flatten(obj, prefix, out):
    import torch
    if isinstance(obj, torch.Tensor):
        out.append((prefix, obj))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, f"{prefix}.{k}" if prefix != "output" else str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(v, f"{prefix}.{i}", out)
    elif obj is None:
        pass
    else:
        raise BridgeError("SOURCE_FORWARD_FAILED", f"the forward returned a {type(obj).__name__} at {prefix}, not tensors", "return tensors, or tuples/lists/dicts of tensors")
    return out


def output_names(module, xs):
    import torch
    with torch.no_grad():
        flat = flatten(module(*xs), "output", [])
    return [n for n, _ in flat]


def export(req):
    import torch
    module = STATE["modules"][req["handle"]]
    specs = req["inputs"]
    xs = example_inputs(specs, req.get("seed", 0))
    names_in = [s["name"] for s in specs]
    try:
        names_out = output_names(module, xs)
    except BridgeError:
        raise
    except Exception as e:
        raise BridgeError("SOURCE_FORWARD_FAILED", f"the forward raised {type(e).__name__}: {e}", "check the input shapes and dtypes given for the module") from e
    dynamic = {k: {int(a): f"{k}_{a}" for a in v} for k, v in (req.get("dynamicAxes") or {}).items()}
    caught = []
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            torch.onnx.export(
                module, xs, req["out"], opset_version=int(req["opset"]), do_constant_folding=bool(req["constantFolding"]),
                input_names=names_in, output_names=names_out, dynamic_axes=dynamic or None,
            )
            error = None
        except Exception as e:
            error = {"type": type(e).__name__, "message": str(e).strip().splitlines()[0][:2000] if str(e).strip() else "", "traceback": tb_tail()}
        caught = w
    export_ms = (time.perf_counter() - t0) * 1000
    seen = []
    for x in caught:
        text = f"{x.category.__name__}: {str(x.message).strip().splitlines()[0] if str(x.message).strip() else ''}"
        if text not in seen:
            seen.append(text)
    result = {"exportMs": export_ms, "warnings": seen[:50], "outputs": names_out, "exporterVersion": torch.__version__}
    # torch.onnx.export runs the ONNX checker itself and raises (CheckerError, or the checker's
    # ValidationError) after writing the file: that is an invalid model, not a failed export.
    if error and error["type"] in ("CheckerError", "ValidationError") and os.path.isfile(req["out"]):
        result["warnings"].append(f"torch.onnx.export's own check raised {error['type']} after writing the model")
        result["checker"] = {"ok": False, "message": f"{error['type']}: {error['message']}"}
        return result
    if error:
        result["exportError"] = error
        return result
    result["checker"] = check_model(req["out"])
    return result


def check_model(path):
    try:
        import onnx
        onnx.checker.check_model(path)
        return {"ok": True}
    except ImportError as e:
        return {"ok": False, "message": f"onnx is not importable: {e}"}
    except Exception as e:
        return {"ok": False, "message": f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:2000]}


def unqualified(name):
    """torch.onnx's scope segment for a module (utils._unqualified_variable_name): from the last
    non-numeric atom on, so `layer1.0.conv1` → `conv1`, `layer1.0` → `layer1.0`."""
    atoms = name.split(".")
    for i in range(len(atoms) - 1, -1, -1):
        if not atoms[i].isnumeric():
            return ".".join(atoms[i:])
    return name


def forward(req):
    import numpy as np
    import torch
    module = STATE["modules"][req["handle"]]
    arrays = np.load(req["inputs"])
    try:
        xs = tuple(torch.from_numpy(np.array(arrays[n])) for n in req["inputNames"])
    except KeyError as e:
        raise BridgeError("SOURCE_OUTPUTS_INVALID", f"input {e} is not in the inputs file", "internal: the TS side writes every input") from e
    calls, capture, handles = [], {}, []
    stack = []
    counts = {}
    if req.get("capture"):
        names = {m: n for n, m in module.named_modules() if n}

        def tensors(obj):
            return [t for _, t in flatten(obj, "x", [])] if not isinstance(obj, torch.Tensor) else [obj]

        def pre(mod, args):
            parent = stack[-1] if stack else -1
            seg = unqualified(names[mod])
            key = (parent, seg)
            k = counts.get(key, 0)
            counts[key] = k + 1
            idx = len(calls)
            ins = []
            try:
                for j, t in enumerate(tensors(args)):
                    capture[f"c{idx}_i{j}"] = t.detach().clone().numpy()
                    ins.append(f"c{idx}_i{j}")
            except BridgeError:
                ins = []
            calls.append({"module": names[mod], "type": type(mod).__name__, "parent": parent, "segment": seg if k == 0 else f"{seg}_{k}", "inputs": ins, "outputs": [], "order": None})
            stack.append(idx)

        def post(mod, args, out):
            idx = stack.pop()
            c = calls[idx]
            try:
                for j, t in enumerate(tensors(out)):
                    capture[f"c{idx}_o{j}"] = t.detach().clone().numpy()
                    c["outputs"].append(f"c{idx}_o{j}")
            except BridgeError:
                pass
            c["order"] = sum(1 for x in calls if x["order"] is not None)

        for m in names:
            handles.append(m.register_forward_pre_hook(pre))
            handles.append(m.register_forward_hook(post))
    try:
        t0 = time.perf_counter()
        with torch.no_grad():
            result = module(*xs)
        forward_ms = (time.perf_counter() - t0) * 1000
        flat = flatten(result, "output", [])
    except BridgeError:
        raise
    except Exception as e:
        raise BridgeError("SOURCE_FORWARD_FAILED", f"the forward raised {type(e).__name__}: {e}", "the module must run on the inputs crossrt generated from the exported model's signature") from e
    finally:
        for h in handles:
            h.remove()
    np.savez(req["outputs"], **{n: t.detach().numpy() for n, t in flat})
    if req.get("capture"):
        np.savez(req["capture"], **capture)
    return {"forwardMs": forward_ms, "outputs": [{"name": n, "dtype": str(t.dtype).replace("torch.", ""), "dims": list(t.shape)} for n, t in flat], "calls": calls}


def onnx_info(_req):
    """The installed onnx and the newest ai.onnx opset it defines, which is as far as its version
    converter can go; no torch import (that costs seconds and an opset upgrade does not need it)."""
    import onnx
    import onnx.defs
    return {"onnx": onnx.__version__, "maxOpset": onnx.defs.onnx_opset_version(), "irVersion": onnx.IR_VERSION}


def convert_opset(req):
    import onnx
    from onnx import version_converter
    model = onnx.load(req["in"])
    t0 = time.perf_counter()
    try:
        converted = version_converter.convert_version(model, int(req["opset"]))
    except Exception as e:
        # A refusal takes time too (shape inference runs first): the record keeps it.
        return {"convertError": {"type": type(e).__name__, "message": str(e).strip().splitlines()[0][:2000] if str(e).strip() else "", "traceback": tb_tail()}, "converterVersion": onnx.__version__, "convertMs": (time.perf_counter() - t0) * 1000}
    onnx.save(converted, req["out"])
    return {"convertMs": (time.perf_counter() - t0) * 1000, "checker": check_model(req["out"]), "converterVersion": onnx.__version__}


OPS = {"versions": versions, "build": build, "export": export, "forward": forward, "convert_opset": convert_opset, "onnx_info": onnx_info, "check": lambda r: check_model(r["path"])}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        rid = req.get("id")
        try:
            op = OPS.get(req.get("op"))
            if op is None:
                raise BridgeError("SOURCE_BRIDGE_FAILED", f"unknown op {req.get('op')}")
            reply({"id": rid, "ok": True, "value": op(req)})
        except BridgeError as e:
            reply({"id": rid, "ok": False, "code": e.code, "message": str(e), "hint": e.hint, "traceback": tb_tail()})
        except Exception as e:
            reply({"id": rid, "ok": False, "code": "SOURCE_BRIDGE_FAILED", "message": f"{type(e).__name__}: {e}", "traceback": tb_tail()})


if __name__ == "__main__":
    main()
