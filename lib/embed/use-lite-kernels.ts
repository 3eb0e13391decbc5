/**
 * A replacement for one TensorFlow.js WebAssembly kernel that USE-lite spends much of its time
 * in for no arithmetic: SplitV. The stock kernel slices each part out of a copy of the whole
 * input (`readSync` copies the tensor out of the WebAssembly heap once per part), so splitting
 * the attention projections of a batch into query, key and value copied the tensor three times
 * and took about a fifth of the embedding time. This one copies each row once, heap to heap.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

export interface TensorInfo {
  readonly dataId: object;
  readonly shape: number[];
  readonly dtype: string;
}

export interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(tensor: TensorInfo): Heap;
  disposeData(dataId: object): void;
}

export interface KernelConfig<Attrs = Record<string, unknown>> {
  kernelName: string;
  backendName: string;
  /** Binds the stock kernel to the WebAssembly module when the backend starts; kept as is. */
  setupFunc?: unknown;
  kernelFunc: (args: {
    inputs: Record<string, TensorInfo>;
    attrs: Attrs;
    backend: WasmBackend;
  }) => TensorInfo | TensorInfo[];
}

/** The slice of TensorFlow.js (as re-exported by @energetic-ai/core) that these modules use. */
export interface KernelRegistry {
  getKernel(kernelName: string, backendName: string): unknown;
  unregisterKernel(kernelName: string, backendName: string): void;
  registerKernel(config: KernelConfig<never>): void;
}

interface SplitAttrs {
  numOrSizeSplits: number | number[];
  axis: number;
}

/** Part sizes along an axis of length `length`, as TF's SplitV reads them (one size may be -1). */
export function splitSizes(length: number, numOrSizeSplits: number | readonly number[]): number[] {
  if (typeof numOrSizeSplits === 'number') {
    if (length % numOrSizeSplits !== 0) {
      throw new Error(`cannot split ${length} into ${numOrSizeSplits} equal parts`);
    }
    return new Array<number>(numOrSizeSplits).fill(length / numOrSizeSplits);
  }
  const known = numOrSizeSplits.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
  return numOrSizeSplits.map((s) => (s === -1 ? length - known : s));
}

/**
 * Copies the parts of `x` (of `shape`) split along `axis` into `outputs`, which are laid out
 * row-major like `x`.
 */
export function splitInto(
  x: Heap,
  shape: readonly number[],
  axis: number,
  sizes: readonly number[],
  outputs: readonly Heap[],
): void {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d] as number;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d] as number;
  const rowLength = (shape[axis] as number) * inner;
  let offset = 0;
  sizes.forEach((size, p) => {
    const out = outputs[p] as Heap;
    const width = size * inner;
    for (let o = 0; o < outer; o++) {
      const from = o * rowLength + offset;
      out.set(x.subarray(from, from + width), o * width);
    }
    offset += width;
  });
}

function splitV({
  inputs: { x },
  attrs,
  backend,
}: Parameters<KernelConfig<SplitAttrs>['kernelFunc']>[0]): TensorInfo[] {
  if (!x) throw new Error('SplitV: no input');
  const axis = attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis;
  const sizes = splitSizes(x.shape[axis] as number, attrs.numOrSizeSplits);
  const outs = sizes.map((size) =>
    backend.makeOutput(
      x.shape.map((d, i) => (i === axis ? size : d)),
      x.dtype,
    ),
  );
  // Views are taken only now: allocating an output can grow the heap and detach older views.
  splitInto(
    backend.typedArrayFromHeap(x),
    x.shape,
    axis,
    sizes,
    outs.map((o) => backend.typedArrayFromHeap(o)),
  );
  return outs;
}

/** Puts the row-copying SplitV in place of the stock one on the `wasm` backend. */
export function installFastSplit(tf: KernelRegistry): void {
  const stock = tf.getKernel('SplitV', 'wasm') as KernelConfig<SplitAttrs> | undefined;
  if (stock) tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({
    kernelName: 'SplitV',
    backendName: 'wasm',
    setupFunc: stock?.setupFunc,
    // Strings live outside the heap; the graph never splits them, but the stock kernel can.
    kernelFunc: (args) =>
      args.inputs.x?.dtype === 'string' && stock
        ? (stock.kernelFunc(args) as TensorInfo[])
        : splitV(args),
  });
}
