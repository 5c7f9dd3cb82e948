"""Independent numbers for the quantization tests: onnx 1.12's checker and numpy, never crossrt's code.

  check MODEL                       onnx.checker.check_model(full_check=True); prints {"ok": true}
  conv-bound FP32 QDQ X.npy YQ.npy [QMAX]
                                    one Conv layer: checks the QDQ parameters against their definitions
                                    (weight scale = max|w_c|/QMAX, QMAX 127, or 64 for reduce_range;
                                    q = round-half-even(w/s), bias int32 =
                                    round(b/(s_x s_w)), zero points) and bounds |y_int8 - y_fp32| element
                                    by element: sum|w| s_x/2 + sum|x| s_w/2 + K s_x s_w/4 + s_b/2 + s_y/2
  weight-snr FP32 INT8 NAME         SNR (dB) of one dequantized weight (ORT QDQ naming: NAME_quantized,
                                    NAME_scale, NAME_zero_point) against the fp32 initializer NAME
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def inits(path):
    m = onnx.load(path)
    return m, {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}


def check(path):
    onnx.checker.check_model(onnx.load(path), full_check=True)
    return {"ok": True}


def conv_ref(x, w, b, pad):
    """Plain numpy Conv (NCHW, stride 1, symmetric padding) in float64."""
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, m, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i:i + kh, j:j + kw]
            y[:, :, i, j] = np.tensordot(patch, w.astype(np.float64), axes=([1, 2, 3], [1, 2, 3]))
    return y + b.reshape(1, -1, 1, 1)


def conv_bound(fp32_path, qdq_path, x_path, yq_path, qmax="127"):
    _, f = inits(fp32_path)
    _, q = inits(qdq_path)
    w, b = f["w"], f["b"]
    x, yq = np.load(x_path), np.load(yq_path)
    sw = q["w_scale"].astype(np.float64)
    expected_sw = np.abs(w).reshape(w.shape[0], -1).max(axis=1) / int(qmax)
    assert np.allclose(sw, expected_sw, rtol=1e-6), (sw, expected_sw)
    assert (q["w_zero_point"] == 0).all()
    assert np.array_equal(q["w_quantized"], np.round(w / sw.reshape(-1, 1, 1, 1).astype(np.float32)).astype(np.int8))
    sx, zx = float(q["x_scale"]), int(q["x_zero_point"])
    assert q["x_zero_point"].dtype == np.uint8
    sb = q["b_scale"].astype(np.float64)
    assert np.allclose(sb, sx * sw, rtol=1e-6)
    assert np.array_equal(q["b_quantized"], np.round(b / sb.astype(np.float32)).astype(np.int32))
    sy, zy = float(q["y_scale"]), int(q["y_zero_point"])
    y = conv_ref(x, w, b, 1)
    # Inside the output's calibrated range, so its quantization only rounds (no clipping).
    assert y.min() >= (0 - zy) * sy and y.max() <= (255 - zy) * sy, (y.min(), y.max(), sy, zy)
    k = w[0].size
    absw = np.abs(w).reshape(w.shape[0], -1).sum(axis=1).reshape(1, -1, 1, 1)
    sum_absx = conv_ref(np.abs(x), np.ones_like(w), np.zeros(w.shape[0]), 1)
    swb = sw.reshape(1, -1, 1, 1)
    bound = absw * sx / 2 + sum_absx * swb / 2 + k * sx * swb / 4 + sb.reshape(1, -1, 1, 1) / 2 + sy / 2
    err = np.abs(yq.astype(np.float64) - y)
    snr = 10 * np.log10((y ** 2).sum() / (err ** 2).sum())
    return {
        "maxError": float(err.max()), "maxBound": float(bound.max()), "withinBound": bool((err <= bound + 1e-6).all()),
        "worstRatio": float((err / bound).max()), "snrDb": float(snr), "xScale": sx, "xZeroPoint": zx,
    }


def weight_snr(fp32_path, int8_path, name):
    _, f = inits(fp32_path)
    _, q = inits(int8_path)
    w = f[name].astype(np.float64)
    s = q[name + "_scale"].astype(np.float64)
    z = q[name + "_zero_point"].astype(np.float64)
    shape = (-1,) + (1,) * (w.ndim - 1) if s.ndim == 1 and s.size > 1 else ()
    dq = (q[name + "_quantized"].astype(np.float64) - z.reshape(shape)) * s.reshape(shape)
    return {"snrDb": float(10 * np.log10((w ** 2).sum() / ((dq - w) ** 2).sum()))}


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    out = {"check": check, "conv-bound": conv_bound, "weight-snr": weight_snr}[cmd](*args)
    print(json.dumps(out))
