/**
 * A WebAssembly SIMD kernel for dot products between a block of rows and a set of other rows: the
 * hot loop of k-means (points against centres) and of USE-lite's dense layers (tokens against
 * weight columns). Plain JavaScript reaches ~1.7 G multiply-adds per second on a Float32Array
 * dot product; this kernel reaches ~18-21 G per core (f32x4 lanes, a 2-row × 4-row register
 * tile so each load feeds several multiply-adds). The module is ~800 bytes and is assembled here
 * from opcodes so the project needs no WebAssembly toolchain.
 */

import {
  ADD,
  BREAK_UNLESS_LT,
  buildModule,
  F32,
  F32_ADD,
  F32_DIV,
  F32_GE,
  F32_LE,
  F32_MAX,
  F32X4_ABS,
  F32X4_ADD,
  F32X4_FROM_I32X4,
  F32X4_MAX,
  F32X4_MUL,
  F32X4_NEAREST,
  F32X4_SPLAT,
  f32Const,
  f32Load,
  f32Store,
  get,
  I16X8_NARROW_I32X4,
  I32,
  I32_EQZ,
  I32_SHR_U,
  I32X4_ADD,
  I32X4_DOT_I16X8,
  I32X4_FROM_F32X4_SAT,
  i32,
  ifThen,
  LOOP_END,
  LOOP_START,
  lane,
  MUL,
  RETURN,
  SELECT,
  set,
  V_ZERO,
  V128,
  v128Load,
  v128Store,
  wasm,
} from './wasm-assembly.js';

/**
 * Element type of the rows. `f32`: float lanes, multiply then add. `i16`: 16-bit integers, eight
 * products per i32x4.dot_i16x8_s summed in 32-bit integer lanes, about twice the multiply-adds
 * per instruction; the caller scales the rows so the sums cannot overflow (see `int16Limit`).
 */
export type DotElement = 'f32' | 'i16';

// dots(xPtr, nx, cPtr, nc, rowBytes, outPtr): out[i * nc + c] = x_i · c_c (as float32) for nx
// points and nc centres stored as rows of rowBytes. Requires nx even, nc % 4 == 0,
// rowBytes % 16 == 0.

const X_PTR = 0;
const NX = 1;
const C_PTR = 2;
const NC = 3;
const ROW = 4;
const OUT = 5;
const XP = 6; // first point of the current pair
const X_END = 7;
const CP = 8; // first centre of the current quad
const C_END = 9;
const J = 10; // byte offset inside a row
const OP = 11; // output cursor
const ACC = 12; // 8 accumulators: 12..15 for point 0, 16..19 for point 1
const X0 = 20;
const X1 = 21;
const CV = 22;

function dotsBody(element: DotElement): number[] {
  const multiplyAdd =
    element === 'f32' ? [...F32X4_MUL, ...F32X4_ADD] : [...I32X4_DOT_I16X8, ...I32X4_ADD];
  const quad = [0, 1, 2, 3].flatMap((q) => [
    ...get(CP),
    ...(q === 0 ? [] : [...get(ROW), ...i32(q), ...MUL, ...ADD]),
    ...get(J),
    ...ADD,
    ...v128Load,
    ...set(CV),
    ...[...get(ACC + q), ...get(X0), ...get(CV), ...multiplyAdd, ...set(ACC + q)],
    ...[...get(ACC + 4 + q), ...get(X1), ...get(CV), ...multiplyAdd],
    ...set(ACC + 4 + q),
  ]);
  // Integer lanes become floats before they are added: four full lanes could overflow 32 bits.
  const laneSum = (a: number) => [
    ...(element === 'f32' ? [] : [...get(ACC + a), ...F32X4_FROM_I32X4, ...set(ACC + a)]),
    ...[...get(ACC + a), ...lane(0), ...get(ACC + a), ...lane(1), ...F32_ADD],
    ...[...get(ACC + a), ...lane(2), ...get(ACC + a), ...lane(3), ...F32_ADD, ...F32_ADD],
  ];
  const horizontalSums = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((a) => [
    ...get(OP),
    ...(a < 4 ? [] : [...get(NC), ...i32(4), ...MUL, ...ADD]),
    ...laneSum(a),
    ...f32Store((a % 4) * 4),
  ]);
  const zeroAccumulators = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((a) => [...V_ZERO, ...set(ACC + a)]);
  return [
    ...[...get(X_PTR), ...set(XP), ...get(X_PTR), ...get(NX), ...get(ROW), ...MUL, ...ADD],
    ...[...set(X_END), ...get(OUT), ...set(OP)],
    ...LOOP_START,
    ...[...get(XP), ...get(X_END), ...BREAK_UNLESS_LT],
    ...[...get(C_PTR), ...set(CP), ...get(C_PTR), ...get(NC), ...get(ROW), ...MUL, ...ADD],
    ...set(C_END),
    ...LOOP_START,
    ...[...get(CP), ...get(C_END), ...BREAK_UNLESS_LT],
    ...zeroAccumulators,
    ...[...i32(0), ...set(J)],
    ...LOOP_START,
    ...[...get(J), ...get(ROW), ...BREAK_UNLESS_LT],
    ...[...get(XP), ...get(J), ...ADD, ...v128Load, ...set(X0)],
    ...[...get(XP), ...get(ROW), ...ADD, ...get(J), ...ADD, ...v128Load, ...set(X1)],
    ...quad,
    ...[...get(J), ...i32(16), ...ADD, ...set(J)],
    ...LOOP_END,
    ...horizontalSums,
    ...[...get(OP), ...i32(16), ...ADD, ...set(OP)],
    ...[...get(CP), ...get(ROW), ...i32(4), ...MUL, ...ADD, ...set(CP)],
    ...LOOP_END,
    // The second point's outputs were written by the tile already; skip its row.
    ...[...get(OP), ...get(NC), ...i32(4), ...MUL, ...ADD, ...set(OP)],
    ...[...get(XP), ...get(ROW), ...i32(2), ...MUL, ...ADD, ...set(XP)],
    ...LOOP_END,
  ];
}

// quantize(src, rows, dim, limit, dst, scales) -> 1, or 0 at the first non-finite row: each row
// of dim floats at src becomes dim int16 at dst, rounded from value × limit / (row's largest
// magnitude), and scales[r] = that magnitude / limit. Requires dim % 8 == 0.
const Q = { SRC: 0, ROWS: 1, DIM: 2, LIMIT: 3, DST: 4, SCALES: 5, R: 6, J: 7, END: 8, M: 9, S: 10 };
const Q_MAX = 11;
/** Rows whose largest magnitude is below this are rounded to zeros (their products are ~0). */
const TINY_ROW = 1e-30;

function quantizeBody(): number[] {
  const { SRC, ROWS, DIM, LIMIT, DST, SCALES, R, J, END, M, S } = Q;
  const scaled = (offset: number) => [
    ...[...get(SRC), ...get(J), ...ADD, ...i32(offset), ...ADD, ...v128Load],
    ...[...get(S), ...F32X4_MUL, ...F32X4_NEAREST, ...I32X4_FROM_F32X4_SAT],
  ];
  return [
    ...[...get(DIM), ...i32(4), ...MUL, ...set(END)],
    ...LOOP_START,
    ...[...get(R), ...get(ROWS), ...BREAK_UNLESS_LT],
    ...[...V_ZERO, ...set(M), ...i32(0), ...set(J)],
    ...LOOP_START,
    ...[...get(J), ...get(END), ...BREAK_UNLESS_LT],
    ...[...get(M), ...get(SRC), ...get(J), ...ADD, ...v128Load, ...F32X4_ABS, ...F32X4_MAX],
    ...[...set(M), ...get(J), ...i32(16), ...ADD, ...set(J)],
    ...LOOP_END,
    ...[...get(M), ...lane(0), ...get(M), ...lane(1), ...F32_MAX],
    ...[...get(M), ...lane(2), ...get(M), ...lane(3), ...F32_MAX, ...F32_MAX, ...set(Q_MAX)],
    // NaN fails every comparison, so this also catches it.
    ...[...get(Q_MAX), ...f32Const(3.4028234663852886e38), ...F32_LE, ...I32_EQZ],
    ...ifThen([...i32(0), ...RETURN]),
    ...[...get(SCALES), ...get(R), ...i32(4), ...MUL, ...ADD],
    ...[...get(Q_MAX), ...get(LIMIT), ...F32_DIV, ...f32Store(0)],
    // A row too small for limit / max to be finite (or all zero) rounds to zeros.
    ...[...get(LIMIT), ...get(Q_MAX), ...F32_DIV, ...f32Const(0)],
    ...[...get(Q_MAX), ...f32Const(TINY_ROW), ...F32_GE, ...SELECT],
    ...[...F32X4_SPLAT, ...set(S), ...i32(0), ...set(J)],
    ...LOOP_START,
    ...[...get(J), ...get(END), ...BREAK_UNLESS_LT],
    ...[...get(DST), ...get(J), ...i32(1), ...I32_SHR_U, ...ADD],
    ...[...scaled(0), ...scaled(16), ...I16X8_NARROW_I32X4, ...v128Store(0)],
    ...[...get(J), ...i32(32), ...ADD, ...set(J)],
    ...LOOP_END,
    ...[...get(SRC), ...get(END), ...ADD, ...set(SRC)],
    ...[...get(DST), ...get(END), ...i32(1), ...I32_SHR_U, ...ADD, ...set(DST)],
    ...[...get(R), ...i32(1), ...ADD, ...set(R)],
    ...LOOP_END,
    ...i32(1),
  ];
}

// scale(dots, rows, stride, n, rowScales, columnScales, out): out[r * n + c] = dots[r * stride + c]
// × rowScales[r] × columnScales[c]. Requires n % 4 == 0; out may be dots.
const SC = { DOTS: 0, ROWS: 1, STRIDE: 2, N: 3, ROW_SCALES: 4, COL_SCALES: 5, OUT: 6, R: 7, C: 8 };
const SC_ROW_SCALE = 9;

function scaleBody(): number[] {
  const { DOTS, ROWS, STRIDE, N, ROW_SCALES, COL_SCALES, OUT, R, C } = SC;
  return [
    ...LOOP_START,
    ...[...get(R), ...get(ROWS), ...BREAK_UNLESS_LT],
    ...[...get(ROW_SCALES), ...get(R), ...i32(4), ...MUL, ...ADD, ...f32Load(0), ...F32X4_SPLAT],
    ...[...set(SC_ROW_SCALE), ...i32(0), ...set(C)],
    ...LOOP_START,
    ...[...get(C), ...get(N), ...i32(4), ...MUL, ...BREAK_UNLESS_LT],
    ...[...get(OUT), ...get(C), ...ADD],
    ...[...get(DOTS), ...get(C), ...ADD, ...v128Load, ...get(SC_ROW_SCALE), ...F32X4_MUL],
    ...[...get(COL_SCALES), ...get(C), ...ADD, ...v128Load, ...F32X4_MUL, ...v128Store(0)],
    ...[...get(C), ...i32(16), ...ADD, ...set(C)],
    ...LOOP_END,
    ...[...get(DOTS), ...get(STRIDE), ...i32(4), ...MUL, ...ADD, ...set(DOTS)],
    ...[...get(OUT), ...get(N), ...i32(4), ...MUL, ...ADD, ...set(OUT)],
    ...[...get(R), ...i32(1), ...ADD, ...set(R)],
    ...LOOP_END,
  ];
}

function kernelModule(element: DotElement): Uint8Array<ArrayBuffer> {
  const i32s = (n: number) => new Array<number>(n).fill(I32);
  return buildModule([
    {
      name: 'dots',
      params: i32s(6),
      results: [],
      locals: [
        [6, I32],
        [11, V128],
      ],
      body: dotsBody(element),
    },
    {
      name: 'quantize',
      params: [I32, I32, I32, F32, I32, I32],
      results: [I32],
      locals: [
        [3, I32],
        [2, V128],
        [1, F32],
      ],
      body: quantizeBody(),
    },
    {
      name: 'scale',
      params: i32s(7),
      results: [],
      locals: [
        [2, I32],
        [1, V128],
      ],
      body: scaleBody(),
    },
  ]);
}

const compiled = new Map<DotElement, object>();
const PAGE = 65536;

/** Rounds a row length up so rows meet the kernel's 16-byte (4-float) granularity. */
export const padDim = (dim: number): number => Math.ceil(dim / 4) * 4;

const BYTES: Record<DotElement, number> = { f32: 4, i16: 2 };

/**
 * The largest magnitude int16 rows of length `dim` may hold so that no 32-bit lane can overflow:
 * each lane sums dim / 4 products.
 */
export const int16Limit = (dim: number): number =>
  Math.min(32767, Math.floor(Math.sqrt((2 ** 31 - 1) / Math.max(1, dim / 4))));

/** A matrix as int16 rows and, per row, the factor that turns them back into its values. */
export interface QuantizedRows {
  readonly values: Int16Array;
  readonly scales: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** Rows as the kernel reads them for each element type. */
export type DotRows<E extends DotElement> = E extends 'f32' ? Float32Array : Int16Array;

/**
 * One kernel instance with its own linear memory laid out as [centres | points | output], rows
 * of `element`, output float32. Callers copy rows in (cheap next to the k-fold work done on
 * them) and read the dot products out.
 */
export class DotKernel<E extends DotElement = 'f32'> {
  private readonly memory = new wasm.Memory({ initial: 1 });
  private readonly dots: (...args: number[]) => void;
  private readonly quantizeRows: (...args: number[]) => number;
  private readonly scaleRows: (...args: number[]) => void;
  private readonly bytes: number;
  private rows: DotRows<E>;
  private out = new Float32Array(this.memory.buffer);
  private dim = 0;
  private maxCentres = 0;
  private maxPoints = 0;
  private centres = 0;
  private points = 0;

  constructor(private readonly element: E = 'f32' as E) {
    this.bytes = BYTES[element];
    let module = compiled.get(element);
    if (!module) {
      module = new wasm.Module(kernelModule(element));
      compiled.set(element, module);
    }
    const instance = new wasm.Instance(module, { env: { memory: this.memory } });
    this.dots = instance.exports.dots as (...args: number[]) => void;
    this.quantizeRows = instance.exports.quantize as (...args: number[]) => number;
    this.scaleRows = instance.exports.scale as (...args: number[]) => void;
    this.rows = this.view();
  }

  private view(): DotRows<E> {
    return (
      this.element === 'f32'
        ? new Float32Array(this.memory.buffer)
        : new Int16Array(this.memory.buffer)
    ) as DotRows<E>;
  }

  /**
   * Sizes the memory for up to `centres` × `points` products of rows of `dim` elements (16 bytes'
   * worth at a time: a multiple of 4 floats or 8 int16).
   */
  reserve(dim: number, centres: number, points: number): void {
    if ((dim * this.bytes) % 16 !== 0) {
      throw new Error(`DotKernel: rows of ${dim} ${this.element} are not a multiple of 16 bytes`);
    }
    this.dim = dim;
    this.maxCentres = Math.ceil(centres / 4) * 4;
    this.maxPoints = points + (points % 2);
    const bytes =
      this.scratchAt() + this.maxPoints * dim * 4 + (this.maxPoints + this.maxCentres) * 4;
    const pages = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    // Growing detaches the old views.
    this.rows = this.view();
    this.out = new Float32Array(this.memory.buffer);
  }

  /** Copies `count` rows starting at row `first` of `src` as the centres; returns the padded count. */
  setCentres(src: DotRows<E>, first: number, count: number): number {
    const padded = Math.ceil(count / 4) * 4;
    if (padded > this.maxCentres) throw new Error('DotKernel: too many centres for reserve()');
    this.rows.set(src.subarray(first * this.dim, (first + count) * this.dim), 0);
    this.rows.fill(0, count * this.dim, padded * this.dim);
    this.centres = padded;
    return padded;
  }

  /** Copies `count` rows starting at row `first` of `src` as the points. */
  setPoints(src: DotRows<E>, first: number, count: number): void {
    const padded = count + (count % 2);
    if (padded > this.maxPoints) throw new Error('DotKernel: too many points for reserve()');
    const base = this.maxCentres * this.dim;
    this.rows.set(src.subarray(first * this.dim, (first + count) * this.dim), base);
    this.rows.fill(0, base + count * this.dim, base + padded * this.dim);
    this.points = padded;
  }

  /** Row-major points × paddedCentres dot products (a view into kernel memory, valid until next call). */
  compute(): Float32Array {
    this.dots(this.pointsAt(), this.points, 0, this.centres, this.dim * this.bytes, this.outAt());
    return this.out.subarray(this.outAt() / 4, this.outAt() / 4 + this.points * this.centres);
  }

  /**
   * Like `setPoints`, from float rows: rounds `count` rows of `src` from row `first` to int16 in
   * [-limit, limit], each scaled by its largest magnitude, keeping the scales for
   * `computeScaled`. False (and no points set) when a value is not finite.
   */
  setPointsQuantized(src: Float32Array, first: number, count: number, limit: number): boolean {
    if (this.element !== 'i16') throw new Error('DotKernel: only int16 rows are quantized');
    const padded = count + (count % 2);
    if (padded > this.maxPoints) throw new Error('DotKernel: too many points for reserve()');
    const { dim } = this;
    const at = this.pointsAt();
    this.out.set(src.subarray(first * dim, (first + count) * dim), this.scratchAt() / 4);
    if (!this.quantizeRows(this.scratchAt(), count, dim, limit, at, this.rowScalesAt())) {
      this.points = 0;
      return false;
    }
    this.rows.fill(0, at / 2 + count * dim, at / 2 + padded * dim);
    this.points = padded;
    return true;
  }

  /**
   * Like `compute`, after `setPointsQuantized` and centres quantized with the same limit: the
   * products times each point's scale and `columnScales[c]`, as a points × columns row-major view
   * (valid until the next call). The columns must be a multiple of 4.
   */
  computeScaled(columnScales: Float32Array, count: number): Float32Array {
    const columns = columnScales.length;
    if (columns % 4 !== 0 || columns > this.centres || count > this.points) {
      throw new Error('DotKernel: scales do not match the rows set');
    }
    const columnsAt = this.rowScalesAt() + this.maxPoints * 4;
    this.out.set(columnScales, columnsAt / 4);
    const outAt = this.outAt();
    this.dots(this.pointsAt(), this.points, 0, this.centres, this.dim * this.bytes, outAt);
    this.scaleRows(outAt, count, this.centres, columns, this.rowScalesAt(), columnsAt, outAt);
    return this.out.subarray(outAt / 4, outAt / 4 + count * columns);
  }

  /**
   * Rounds each row of `src` (rows × the reserved dim floats) as `setPointsQuantized` does, in
   * chunks of the reserved point count, into arrays of its own (for rows used many times, such
   * as weights). Undefined when a value is not finite. Leaves the points unset.
   */
  quantize(src: Float32Array, rows: number, limit: number): QuantizedRows | undefined {
    const { dim } = this;
    const values = new Int16Array(rows * dim);
    const scales = new Float32Array(rows);
    for (let first = 0; first < rows; first += this.maxPoints) {
      const count = Math.min(this.maxPoints, rows - first);
      if (!this.setPointsQuantized(src, first, count, limit)) return undefined;
      const at = this.pointsAt() / 2;
      values.set(this.rows.subarray(at, at + count * dim), first * dim);
      const scalesAt = this.rowScalesAt() / 4;
      scales.set(this.out.subarray(scalesAt, scalesAt + count), first);
    }
    this.points = 0;
    return { values, scales, rows, dim };
  }

  private pointsAt(): number {
    return this.maxCentres * this.dim * this.bytes;
  }

  private outAt(): number {
    return this.pointsAt() + this.maxPoints * this.dim * this.bytes;
  }

  /** Room past the output: floats staged by `quantize`, then row scales, then column scales. */
  private scratchAt(): number {
    return this.outAt() + this.maxPoints * this.maxCentres * 4;
  }

  private rowScalesAt(): number {
    return this.scratchAt() + this.maxPoints * this.dim * 4;
  }
}
