/** The few protobuf wire-format pieces TensorBoard's event files need (writer and a reader for tests). */

export class ProtoWriter {
  private readonly parts: number[] = [];

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.parts.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.parts.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  uint(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  double(field: number, v: number): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.parts.push(...b);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(...b);
    return this;
  }

  bytes(field: number, v: Uint8Array | string): this {
    const b = typeof v === 'string' ? new TextEncoder().encode(v) : v;
    this.tag(field, 2);
    this.varint(b.length);
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!);
    return this;
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export type ProtoField = { field: number; wire: number; value: bigint | Uint8Array };

/** Decodes one message level into its fields (length-delimited values stay bytes). */
export function readProto(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= b.length) throw new Error('truncated varint');
      const byte = b[i++]!;
      x |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return x;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    const take = (n: number) => {
      if (i + n > b.length) throw new Error('truncated field');
      const v = b.subarray(i, i + n);
      i += n;
      return v;
    };
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) out.push({ field, wire, value: take(8) });
    else if (wire === 2) out.push({ field, wire, value: take(Number(varint())) });
    else if (wire === 5) out.push({ field, wire, value: take(4) });
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
