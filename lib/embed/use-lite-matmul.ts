/**
 * Replacements for the two TensorFlow.js WebAssembly kernels that do most of USE-lite's
 * arithmetic: BatchMatMul (the feed-forward layers, tokens × 512 against 512 × 1536 weights and
 * back) and Conv2D (the attention projections, written as 1 × 1 convolutions: the same product).
 * Profiled on the demo summaries they are three quarters of the embedding time, and the stock
 * float kernels already run them at the 128-bit SIMD peak (~20 G multiply-adds per second per
 * core, as fast as the float dot kernel k-means uses). What is left is less arithmetic per
 * instruction: here both sides are rounded to 16-bit integers, each row (a token's activations, a
 * weight column) scaled by its own largest magnitude, and multiplied with i32x4.dot_i16x8_s,
 * eight multiply-adds an instruction instead of four. Each product keeps 11 to 13 significant
 * bits per factor and sums exactly in 32-bit integers; the embeddings stay within a cosine of
 * 0.9999 of the float ones (see the tests and `npm run bench -- embed-speed`).
 *
 * Only those plain products are taken over; every other shape (the attention scores are rank-4
 * batches), attribute or non-finite input goes to the stock kernel.
 */
import { DotKernel, int16Limit, type QuantizedRows } from '../util/dot-kernel.js';
import type { KernelConfig, KernelRegistry, TensorInfo, WasmBackend } from './use-lite-kernels.js';

/** Rows of the left matrix sent to the kernel per call, so its memory stays a few MB. */
const ROWS_PER_CALL = 256;

/** The n × k transpose of a row-major k × n matrix. */
export function transpose(matrix: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) out[j * k + i] = matrix[i * n + j] as number;
  }
  return out;
}

/**
 * out (m × columns.rows, row-major) ≈ x (m × dim floats) · columnsᵀ, the rows of x quantized
 * with the columns' limit in chunks of the kernel's reserved point count. False when x holds a
 * value that is not finite (out is then incomplete).
 */
export function multiplyQuantized(
  kernel: DotKernel<'i16'>,
  x: Float32Array,
  columns: QuantizedRows,
  limit: number,
  out: Float32Array,
): boolean {
  const { dim } = columns;
  const m = x.length / dim;
  const n = columns.rows;
  kernel.reserve(dim, n, ROWS_PER_CALL);
  kernel.setCentres(columns.values, 0, n);
  for (let first = 0; first < m; first += ROWS_PER_CALL) {
    const count = Math.min(ROWS_PER_CALL, m - first);
    if (!kernel.setPointsQuantized(x, first, count, limit)) return false;
    out.set(kernel.computeScaled(columns.scales, count), first * n);
  }
  return true;
}

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  strides?: number | number[];
  dilations?: number | number[];
  pad?: unknown;
  dataFormat?: string;
}

type Args = Parameters<KernelConfig<MatMulAttrs>['kernelFunc']>[0];

const ones = (value: number | number[] | undefined): boolean =>
  value === undefined || (Array.isArray(value) ? value.every((v) => v === 1) : value === 1);

interface PlainProduct {
  /** Left input, read as rows of k. */
  readonly x: TensorInfo;
  /** Right input: k × n, or n × k when `transposed`. */
  readonly weights: TensorInfo;
  readonly k: number;
  readonly n: number;
  readonly transposed: boolean;
  readonly outShape: number[];
}

/**
 * The product a kernel call asks for when it is a plain one (rows of the left input times one
 * matrix), or undefined.
 */
export function plainProduct(kernelName: string, args: Args): PlainProduct | undefined {
  const { inputs, attrs } = args;
  if (kernelName === 'BatchMatMul') {
    const { a, b } = inputs;
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    if (attrs.transposeA || a.shape.length < 2 || b.shape.length !== 2) return undefined;
    const k = a.shape.at(-1) as number;
    const [rows, cols] = b.shape as [number, number];
    const transposed = attrs.transposeB === true;
    if ((transposed ? cols : rows) !== k) return undefined;
    const n = transposed ? rows : cols;
    return { x: a, weights: b, k, n, transposed, outShape: [...a.shape.slice(0, -1), n] };
  }
  const { x, filter } = inputs;
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  const [height, width, k, n] = filter.shape as [number, number, number, number];
  const pointwise =
    height === 1 &&
    width === 1 &&
    x.shape[3] === k &&
    ones(attrs.strides) &&
    ones(attrs.dilations) &&
    (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
    (attrs.pad === 'valid' || attrs.pad === 'same');
  if (!pointwise) return undefined;
  return { x, weights: filter, k, n, transposed: false, outShape: [...x.shape.slice(0, 3), n] };
}

/**
 * Registers the int16 path for BatchMatMul and Conv2D on the `wasm` backend. Weights never
 * change, so each weight matrix is transposed and quantized once, kept while its tensor lives.
 */
export function installQuantizedMatMul(tf: KernelRegistry): void {
  const kernel = new DotKernel('i16');
  const columnsOf = new WeakMap<object, QuantizedRows | 'stock'>();
  const quantizedColumns = (backend: WasmBackend, product: PlainProduct) => {
    const { weights, k, n, transposed } = product;
    let columns = columnsOf.get(weights.dataId);
    if (!columns) {
      const heap = backend.typedArrayFromHeap(weights) as Float32Array;
      kernel.reserve(k, n, ROWS_PER_CALL);
      columns = kernel.quantize(transposed ? heap : transpose(heap, k, n), n, int16Limit(k));
      columnsOf.set(weights.dataId, columns ?? 'stock');
    }
    return columns === 'stock' ? undefined : columns;
  };
  for (const kernelName of ['BatchMatMul', 'Conv2D']) {
    const stock = tf.getKernel(kernelName, 'wasm') as KernelConfig<MatMulAttrs> | undefined;
    if (!stock) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      setupFunc: stock.setupFunc,
      kernelFunc: (args: Args) => {
        const product = plainProduct(kernelName, args);
        // Rows must fill whole 16-byte loads (k a multiple of 8 int16), outputs whole lanes.
        const fits = product && product.k % 8 === 0 && product.n % 4 === 0;
        const columns = fits ? quantizedColumns(args.backend, product) : undefined;
        if (!product || !columns) return stock.kernelFunc(args);
        const { backend } = args;
        const out = backend.makeOutput(product.outShape, 'float32');
        // Heap views are taken after the output exists: allocating it can grow the heap.
        const x = backend.typedArrayFromHeap(product.x) as Float32Array;
        const result = backend.typedArrayFromHeap(out) as Float32Array;
        if (multiplyQuantized(kernel, x, columns, int16Limit(product.k), result)) return out;
        backend.disposeData(out.dataId);
        return stock.kernelFunc(args);
      },
    });
  }
}
