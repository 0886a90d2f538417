// The second peer of the browser benchmark: the same `mlp` and `dcgan` workloads as
// tfjs-gan.js, written in jax-js as its users write them: parameters as plain trees of arrays,
// `valueAndGrad` for each network's loss, Adam by hand (jax-js publishes no optimiser package),
// and the whole step, both updates included, under one `jit`, so that jax-js compiles it into
// fused kernels. One step is one D update, one G update and both loss values reaching
// JavaScript, as in webgan and the TF.js peer.
//
// jax-js counts references: an array passed to a function is consumed, and `.ref` keeps it for
// a later use. The functions below follow that rule, as jax-js asks of its users' code.
import { defaultDevice, init, jit, lax, nn, numpy as np, random, tree, valueAndGrad } from "./node_modules/@jax-js/jax/dist/index.js";

const LATENT = 100;
const LR = 2e-4, BETA1 = 0.5, BETA2 = 0.999, EPS = 1e-7;
const leaky = (x) => nn.leakyRelu(x, 0.2);

/** Glorot-uniform weights, TF.js's default for its dense and conv layers. */
function glorot(shape, fanIn, fanOut) {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = (Math.random() * 2 - 1) * limit;
  return np.array(values).reshape(shape);
}
const dense = (inputs, units) => ({ w: glorot([inputs, units], inputs, units), b: np.zeros([units]) });
/** A 4×4 kernel in jax-js's layout, `[out, in, 4, 4]`, for NCHW activations. */
const kernel = (cin, cout) => ({ w: glorot([cout, cin, 4, 4], cin * 16, cout * 16), b: np.zeros([1, cout, 1, 1]) });
const norm = (channels) => ({ gamma: np.ones([1, channels, 1, 1]), beta: np.zeros([1, channels, 1, 1]) });

const linear = (p, x) => np.matmul(x, p.w).add(p.b);
const down = (p, x) => lax.conv(x, p.w, [2, 2], "SAME").add(p.b);
const up = (p, x) => lax.convTranspose(x, p.w, [2, 2], "SAME").add(p.b);
/** Batch normalisation in training mode: this batch's statistics per channel. */
function batchNorm(p, x) {
  const centred = x.ref.sub(x.mean([0, 2, 3], { keepdims: true }));
  const variance = np.square(centred.ref).mean([0, 2, 3], { keepdims: true });
  return centred.div(np.sqrt(variance.add(1e-3))).mul(p.gamma).add(p.beta);
}

const WORKLOADS = {
  mlp: {
    init: () => ({
      g: [dense(LATENT, 128), dense(128, 128), dense(128, 784)],
      d: [dense(784, 128), dense(128, 128), dense(128, 1)],
    }),
    generator: (g, z) => nn.sigmoid(linear(g[2], leaky(linear(g[1], leaky(linear(g[0], z)))))),
    discriminator: (d, x) => linear(d[2], leaky(linear(d[1], leaky(linear(d[0], x))))),
  },
  dcgan: {
    init: () => ({
      g: { fc: dense(LATENT, 7 * 7 * 128), bn1: norm(128), up1: kernel(128, 64), bn2: norm(64), up2: kernel(64, 1) },
      d: { c1: kernel(1, 64), c2: kernel(64, 128), bn: norm(128), fc: dense(7 * 7 * 128, 1) },
    }),
    generator(g, z) {
      const batch = z.shape[0];
      let h = nn.relu(batchNorm(g.bn1, linear(g.fc, z).reshape([batch, 128, 7, 7])));
      h = nn.relu(batchNorm(g.bn2, up(g.up1, h)));
      return nn.sigmoid(up(g.up2, h)).reshape([batch, 784]);
    },
    discriminator(d, x) {
      const batch = x.shape[0];
      const h = leaky(down(d.c1, x.reshape([batch, 1, 28, 28])));
      return linear(d.fc, leaky(batchNorm(d.bn, down(d.c2, h))).reshape([batch, 7 * 7 * 128]));
    },
  },
};

/** One Adam update of every leaf of `params`; `count` is the update's number, from 1. Returns
 * the new parameters and moments. */
function adam(params, grads, m, v, count) {
  const [ps, def] = tree.flatten(params);
  const [gs] = tree.flatten(grads), [ms] = tree.flatten(m), [vs] = tree.flatten(v);
  // lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ): the bias corrections folded into the step size, as in the Adam paper.
  const size = np.sqrt(np.power(BETA2, count.ref).neg().add(1)).div(np.power(BETA1, count).neg().add(1)).mul(LR);
  const out = { p: [], m: [], v: [] };
  for (let i = 0; i < ps.length; i++) {
    const g = gs[i];
    const mi = ms[i].mul(BETA1).add(g.ref.mul(1 - BETA1));
    const vi = vs[i].mul(BETA2).add(np.square(g).mul(1 - BETA2));
    out.p.push(ps[i].sub(mi.ref.mul(size.ref).div(np.sqrt(vi.ref).add(EPS))));
    out.m.push(mi);
    out.v.push(vi);
  }
  size.dispose();
  return [tree.unflatten(def, out.p), tree.unflatten(def, out.m), tree.unflatten(def, out.v)];
}

/** The shipped digits (`www/data/mnist.bin.gz`) as one `[count, 784]` array in [0, 1]. */
async function loadDigits(url) {
  const stream = (await fetch(url)).body.pipeThrough(new DecompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  const count = new DataView(bytes.buffer).getUint32(5, true);
  const pixels = bytes.subarray(11 + count, 11 + count + count * 784);
  return np.array(Float32Array.from(pixels, (p) => p / 255)).reshape([count, 784]);
}

/** The compiled step of each device, workload and batch, kept across calls as a training loop
 * keeps its own: the benchmark's measured call then reuses what its warm-up call compiled. */
const compiled = new Map();

/** Trains `steps` steps of `workload` at `batch` on jax-js device `backend` ("webgpu" or
 * "wasm"). Resolves like tfjs-gan.js's `train`: the milliseconds of setting up (device, digits,
 * networks) and of each step (the first call's first step includes tracing and compiling it), and the compute
 * dispatches of the steps. */
export async function train({ backend, workload, batch, steps, digitsUrl }) {
  const start = performance.now();
  if (!(await init(backend)).includes(backend)) throw new Error(`jax-js device ${backend} is not available`);
  defaultDevice(backend);
  const digits = await loadDigits(digitsUrl);
  const count = digits.shape[0];
  const { init: networks, generator, discriminator } = WORKLOADS[workload];
  const { g, d } = networks();
  const zeros = (p) => tree.map((x) => np.zerosLike(x), p);
  let state = { g, d, mg: zeros(tree.ref(g)), vg: zeros(tree.ref(g)), md: zeros(tree.ref(d)), vd: zeros(tree.ref(d)), t: np.array(0), key: random.key(Math.floor(Math.random() * 2 ** 31)) };

  // D: −log σ(D(x)) − log(1 − σ(D(G(z)))), as softplus; G: the non-saturating −log σ(D(G(z))).
  const lossD = (d, g, real, z) => {
    const fake = generator(g, z);
    const dReal = discriminator(tree.ref(d), real), dFake = discriminator(d, fake);
    return nn.softplus(dReal.neg()).mean().add(nn.softplus(dFake).mean());
  };
  const lossG = (g, d, z) => nn.softplus(discriminator(d, generator(g, z)).neg()).mean();
  const id = `${backend} ${workload} ${batch}`;
  if (!compiled.has(id)) compiled.set(id, jit((s, digits, indices) => {
    const [k, key] = random.split(s.key, 2);
    const z = random.normal(k, [batch, LATENT]);
    const real = np.take(digits, indices, 0);
    const t = s.t.add(1);
    const [valueD, gradD] = valueAndGrad(lossD)(tree.ref(s.d), tree.ref(s.g), real, z.ref);
    const [d, md, vd] = adam(s.d, gradD, s.md, s.vd, t.ref);
    const [valueG, gradG] = valueAndGrad(lossG)(tree.ref(s.g), tree.ref(d), z);
    const [g, mg, vg] = adam(s.g, gradG, s.mg, s.vg, t.ref);
    return [{ g, d, mg, vg, md, vd, t, key }, valueD, valueG];
  }));
  const step = compiled.get(id);

  const setupMs = performance.now() - start;
  const times = [];
  let losses;
  const dispatchesBefore = globalThis.gpuDispatches ?? 0;
  try {
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const indices = np.array(Int32Array.from({ length: batch }, () => Math.floor(Math.random() * count)), { dtype: np.int32 });
      let valueD, valueG;
      [state, valueD, valueG] = step(state, digits.ref, indices);
      const values = await Promise.all([valueD.data(), valueG.data()]);
      losses = values.map((v) => v[0]);
      if (!losses.every(Number.isFinite)) throw new Error(`jax-js ${workload} diverged at step ${i}`);
      times.push(performance.now() - t0);
    }
  } finally {
    tree.dispose(state);
    digits.dispose();
  }
  return { setupMs, times, losses, dispatches: (globalThis.gpuDispatches ?? 0) - dispatchesBefore };
}
