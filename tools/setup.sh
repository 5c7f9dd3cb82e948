#!/usr/bin/env bash
# One-time setup for a fresh Debian machine: system packages, npm packages (offline-safe), build.
# Idempotent: re-running skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the ONNX backend test suite (the conformance oracle), Chromium (browser and
# WebGPU targets; its SwiftShader Vulkan ICD also gives onnxruntime-node's WebGPU EP a software GPU),
# and the source frameworks for source-oracle runs: PyTorch with torchvision (torch.onnx.export is the
# converter under test), onnx (checker, version_converter) and NumPy, all for Debian's /usr/bin/python3.
DEBIAN_PACKAGES=(libonnx-testdata chromium python3-torch python3-torchvision python3-onnx python3-numpy)
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# onnxruntime-node's postinstall would download CUDA bits (fails offline); its CPU and WebGPU EPs
# are bundled, so skip it. The variable, not an .npmrc key: npm 11 warns about unknown .npmrc keys
# on every npm command (see .npmrc), and never looks at this variable; ORT's install script reads it.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npx nx run-many -t build --outputStyle=static
# npm ci ran before the build, when crossrt's bin target did not exist yet, so it linked no
# node_modules/.bin/crossrt; link it now (bins only, no install scripts).
npm rebuild crossrt --ignore-scripts >/dev/null
echo "setup: done"
