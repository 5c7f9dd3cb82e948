import { TargetHost, TARGET_CATALOGUE, parsePlacementLog } from '@crossrt/runtime';
for (const t of TARGET_CATALOGUE) {
  const h = new TargetHost(t);
  console.log(t.id, await h.probe());
  const { reply, lines } = await h.load('/usr/share/libonnx-testdata/data/node/test_add/model.onnx');
  console.log(reply.loadMs, reply.device, reply.inputNames, lines.length, parsePlacementLog(lines, 'CPUExecutionProvider'));
  const x = { dtype: 'float32', dims: [3,4,5], data: new Float32Array(60).fill(1) };
  const r = await h.run({ x, y: x });
  console.log(r.runMs, r.outputs.sum.dims, r.outputs.sum.data.slice(0,3));
  await h.close();
}
