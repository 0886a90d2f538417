// The peer of the browser benchmark: DESIGN.md's `mlp` and `dcgan` workloads written in
// TensorFlow.js as its users write them (tf.layers, an Adam optimiser per network, the losses
// awaited every step), trained on the same shipped digits. One step is one D update, one G update
// and both loss values reaching JavaScript, as in webgan.
/* global tf */

const LATENT = 100;
const leaky = () => tf.layers.leakyReLU({ alpha: 0.2 });

/** G and D of a workload, as tf.layers models. */
function networks(workload) {
  if (workload === "mlp") {
    const generator = tf.sequential({ layers: [
      tf.layers.dense({ units: 128, inputShape: [LATENT] }), leaky(),
      tf.layers.dense({ units: 128 }), leaky(),
      tf.layers.dense({ units: 784, activation: "sigmoid" }),
    ] });
    const discriminator = tf.sequential({ layers: [
      tf.layers.dense({ units: 128, inputShape: [784] }), leaky(),
      tf.layers.dense({ units: 128 }), leaky(),
      tf.layers.dense({ units: 1 }),
    ] });
    return { generator, discriminator };
  }
  const conv = { kernelSize: 4, strides: 2, padding: "same" };
  const generator = tf.sequential({ layers: [
    tf.layers.dense({ units: 7 * 7 * 128, inputShape: [LATENT] }),
    tf.layers.reshape({ targetShape: [7, 7, 128] }),
    tf.layers.batchNormalization(), tf.layers.reLU(),
    tf.layers.conv2dTranspose({ filters: 64, ...conv }),
    tf.layers.batchNormalization(), tf.layers.reLU(),
    tf.layers.conv2dTranspose({ filters: 1, activation: "sigmoid", ...conv }),
    tf.layers.reshape({ targetShape: [784] }),
  ] });
  const discriminator = tf.sequential({ layers: [
    tf.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }),
    tf.layers.conv2d({ filters: 64, ...conv }), leaky(),
    tf.layers.conv2d({ filters: 128, ...conv }),
    tf.layers.batchNormalization(), leaky(),
    tf.layers.flatten(),
    tf.layers.dense({ units: 1 }),
  ] });
  return { generator, discriminator };
}

/** The shipped digits (`www/data/mnist.bin.gz`) as one `[count, 784]` tensor in [0, 1]. */
async function loadDigits(url) {
  const stream = (await fetch(url)).body.pipeThrough(new DecompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  const count = new DataView(bytes.buffer).getUint32(5, true);
  const pixels = bytes.subarray(11 + count, 11 + count + count * 784);
  return tf.tidy(() => tf.tensor2d(pixels, [count, 784], "int32").toFloat().div(255));
}

/** Trains `steps` steps of `workload` at `batch` on TF.js backend `backend` ("webgpu" or
 * "wasm"). Resolves to the milliseconds of setting up (backend, digits, networks) and of each
 * step (the first includes compiling its kernels), and the compute dispatches of the steps. */
export async function train({ backend, workload, batch, steps, digitsUrl }) {
  const start = performance.now();
  if (backend === "wasm") tf.wasm.setWasmPaths(new URL("./node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url).href);
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} is not available`);
  await tf.ready();
  const digits = await loadDigits(digitsUrl);
  const count = digits.shape[0];
  const { generator, discriminator } = networks(workload);
  const adam = () => tf.train.adam(2e-4, 0.5, 0.999);
  const [optD, optG] = [adam(), adam()];
  const dVars = discriminator.trainableWeights.map((w) => w.read());
  const gVars = generator.trainableWeights.map((w) => w.read());
  const training = { training: true };
  const setupMs = performance.now() - start;
  const times = [];
  const dispatchesBefore = globalThis.gpuDispatches;
  for (let step = 0; step < steps; step++) {
    const t0 = performance.now();
    const [lossD, lossG] = tf.tidy(() => {
      const indices = tf.tensor1d(Array.from({ length: batch }, () => Math.floor(Math.random() * count)), "int32");
      const real = tf.gather(digits, indices);
      const z = tf.randomNormal([batch, LATENT]);
      // D: −log σ(D(x)) − log(1 − σ(D(G(z)))), as softplus.
      const lossD = optD.minimize(() => {
        const fake = generator.apply(z, training);
        const dReal = discriminator.apply(real, training);
        const dFake = discriminator.apply(fake, training);
        return tf.add(tf.softplus(tf.neg(dReal)).mean(), tf.softplus(dFake).mean());
      }, true, dVars);
      // G: the non-saturating −log σ(D(G(z))).
      const lossG = optG.minimize(
        () => tf.softplus(tf.neg(discriminator.apply(generator.apply(z, training), training))).mean(),
        true,
        gVars,
      );
      return [lossD, lossG];
    });
    const values = await Promise.all([lossD.data(), lossG.data()]);
    tf.dispose([lossD, lossG]);
    if (!values.every((v) => Number.isFinite(v[0]))) throw new Error(`TF.js ${workload} diverged at step ${step}`);
    times.push(performance.now() - t0);
  }
  tf.dispose([digits]);
  generator.dispose();
  discriminator.dispose();
  return { setupMs, times, dispatches: globalThis.gpuDispatches - dispatchesBefore };
}
