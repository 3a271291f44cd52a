// Run as a child process by test/integration/gpu/context.test.ts: acquire a GPU, run one kernel,
// dispose; Node must exit.
import { acquireGpu } from '../../../src/gpu/index.js';
import { gpuFieldOp } from '../../../src/gpu/field-kernel.js';

const ctx = await acquireGpu();
if (!ctx) throw new Error('no adapter');
const r = await gpuFieldOp(ctx, 97n, 'add', [50n], [60n]);
ctx.dispose();
console.log(`done ${r[0]}`);
