/**
 * Just enough of a WebAssembly assembler to write small SIMD kernels in TypeScript, so the
 * project needs no WebAssembly toolchain: LEB128 numbers, sections, the opcodes the kernels use,
 * and a module builder for functions over one imported memory (`env.memory`).
 */

const uleb = (value: number): number[] => {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
};
const sleb = (value: number): number[] => {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));

export const I32 = 0x7f;
export const V128 = 0x7b;
export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const i32 = (v: number) => [0x41, ...sleb(v)];
export const ADD = [0x6a];
export const MUL = [0x6c];
/** `br_if` out of the enclosing block unless a < b (unsigned); a, b are already on the stack. */
export const BREAK_UNLESS_LT = [0x49, 0x45, 0x0d, 1];
export const LOOP_START = [0x02, 0x40, 0x03, 0x40];
export const LOOP_END = [0x0c, 0, 0x0b, 0x0b];
export const v128Load = [0xfd, 0x00, 4, 0];
export const V_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
export const F32X4_ADD = [0xfd, ...uleb(228)];
export const F32X4_MUL = [0xfd, ...uleb(230)];
export const lane = (l: number) => [0xfd, 0x1f, l];
export const F32_ADD = [0x92];
export const I32X4_DOT_I16X8 = [0xfd, ...uleb(186)];
export const I32X4_ADD = [0xfd, ...uleb(174)];
export const f32Store = (offset: number) => [0x38, 2, ...uleb(offset)];

export const F32X4_ABS = [0xfd, ...uleb(224)];
export const F32X4_MAX = [0xfd, ...uleb(233)];
export const F32X4_NEAREST = [0xfd, ...uleb(106)];
export const F32X4_SPLAT = [0xfd, ...uleb(19)];
export const F32X4_FROM_I32X4 = [0xfd, ...uleb(250)];
export const I32X4_FROM_F32X4_SAT = [0xfd, ...uleb(248)];
export const I16X8_NARROW_I32X4 = [0xfd, ...uleb(133)];
export const F32 = 0x7d;
export const F32_MAX = [0x97];
export const F32_DIV = [0x95];
export const F32_LE = [0x5f];
export const F32_GE = [0x60];
/** `select`: the first operand if the third (i32) is non-zero, else the second. */
export const SELECT = [0x1b];
export const I32_SHR_U = [0x76];
export const I32_EQZ = [0x45];
export const RETURN = [0x0f];
export const f32Load = (offset: number) => [0x2a, 2, ...uleb(offset)];
export const f32Const = (value: number) => [0x43, ...new Uint8Array(Float32Array.of(value).buffer)];
export const v128Store = (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)];
/** `if … end` with no result. */
export const ifThen = (body: number[]) => [0x04, 0x40, ...body, 0x0b];

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Extra locals after the parameters, as [count, type] runs. */
  readonly locals: readonly (readonly [number, number])[];
  readonly body: readonly number[];
}

/** A module of `functions`, each exported under its name, over an imported `env.memory`. */
export function buildModule(functions: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [
    0x60,
    ...vec(f.params.map((p) => [p])),
    ...vec(f.results.map((r) => [r])),
  ]);
  const bodies = functions.map((f) => {
    const code = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
// @types/node 20 does not declare the WebAssembly global; describe the little used here.
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
