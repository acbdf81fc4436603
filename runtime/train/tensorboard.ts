/**
 * TensorBoard event files: TFRecord framing (length, masked CRC-32C of the length, an `Event`
 * protobuf, masked CRC-32C of it) with scalars, PNG images and text, as tf.summary writes them, so
 * the real TensorBoard reads a run folder as it is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { maskedCrc32c } from '../io/crc32c.js';
import { ProtoWriter, readProto } from '../io/protobuf.js';

// Event: wall_time 1 (double), step 2 (int64), file_version 3 (string), summary 5.
// Summary.Value: tag 1, simple_value 2 (float), image 4, tensor 8, metadata 9.
const DT_STRING = 7;

export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(data.length), true);
  v.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  v.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

function event(step: number, wallTime: number, fill: (e: ProtoWriter) => void): Uint8Array {
  const e = new ProtoWriter().double(1, wallTime).uint(2, step);
  fill(e);
  return frameRecord(e.finish());
}

export class EventWriter {
  readonly file: string;
  private readonly fd: number;

  constructor(dir: string, private readonly now: () => number = () => Date.now() / 1000) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(this.now())}.${os.hostname()}.${process.pid}`);
    this.fd = fs.openSync(this.file, 'a');
    this.write(event(0, this.now(), (e) => e.bytes(3, 'brain.Event:2')));
  }

  private write(record: Uint8Array): void {
    fs.writeSync(this.fd, record);
  }

  scalar(tag: string, value: number, step: number): void {
    this.write(event(step, this.now(), (e) => e.message(5, new ProtoWriter().message(1, new ProtoWriter().bytes(1, tag).float(2, value)))));
  }

  scalars(values: Record<string, number>, step: number): void {
    for (const [tag, v] of Object.entries(values)) this.scalar(tag, v, step);
  }

  /** A PNG image summary. */
  image(tag: string, png: Uint8Array, width: number, height: number, step: number): void {
    const img = new ProtoWriter().uint(1, height).uint(2, width).uint(3, 3).bytes(4, png);
    this.write(event(step, this.now(), (e) => e.message(5, new ProtoWriter().message(1, new ProtoWriter().bytes(1, tag).message(4, img)))));
  }

  /** A text summary (markdown), shown in TensorBoard's Text tab. */
  text(tag: string, markdown: string, step: number): void {
    const metadata = new ProtoWriter().message(1, new ProtoWriter().bytes(1, 'text'));
    const tensor = new ProtoWriter().uint(1, DT_STRING).message(2, new ProtoWriter()).bytes(8, markdown);
    this.write(event(step, this.now(), (e) => e.message(5, new ProtoWriter().message(1, new ProtoWriter().bytes(1, tag).message(9, metadata).message(8, tensor)))));
  }

  flush(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

export type ReadEvent = {
  step: number;
  wallTime: number;
  fileVersion?: string;
  values: Array<{ tag: string; scalar?: number; image?: { width: number; height: number; png: Uint8Array }; text?: string; plugin?: string }>;
};

/** Parses an event file back, checking both CRCs of every record (for tests and `attnc` tools). */
export function readEventFile(file: string): ReadEvent[] {
  const b = new Uint8Array(fs.readFileSync(file));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: ReadEvent[] = [];
  let i = 0;
  const dec = new TextDecoder();
  while (i < b.length) {
    if (i + 12 > b.length) throw new Error(`${file}: truncated record header at byte ${i}`);
    const n = Number(v.getBigUint64(i, true));
    if (v.getUint32(i + 8, true) !== maskedCrc32c(b.subarray(i, i + 8))) throw new Error(`${file}: length CRC mismatch at byte ${i}`);
    if (i + 12 + n + 4 > b.length) throw new Error(`${file}: truncated record at byte ${i}`);
    const data = b.subarray(i + 12, i + 12 + n);
    if (v.getUint32(i + 12 + n, true) !== maskedCrc32c(data)) throw new Error(`${file}: data CRC mismatch at byte ${i + 12}`);
    i += 12 + n + 4;
    const ev: ReadEvent = { step: 0, wallTime: 0, values: [] };
    for (const f of readProto(data)) {
      if (f.field === 1) ev.wallTime = new DataView((f.value as Uint8Array).slice().buffer).getFloat64(0, true);
      else if (f.field === 2) ev.step = Number(f.value as bigint);
      else if (f.field === 3) ev.fileVersion = dec.decode(f.value as Uint8Array);
      else if (f.field === 5) {
        for (const sv of readProto(f.value as Uint8Array)) {
          if (sv.field !== 1) continue;
          const val: ReadEvent['values'][number] = { tag: '' };
          for (const x of readProto(sv.value as Uint8Array)) {
            if (x.field === 1) val.tag = dec.decode(x.value as Uint8Array);
            else if (x.field === 2) val.scalar = new DataView((x.value as Uint8Array).slice().buffer).getFloat32(0, true);
            else if (x.field === 4) {
              const img: { width: number; height: number; png: Uint8Array } = { width: 0, height: 0, png: new Uint8Array() };
              for (const y of readProto(x.value as Uint8Array)) {
                if (y.field === 1) img.height = Number(y.value);
                else if (y.field === 2) img.width = Number(y.value);
                else if (y.field === 4) img.png = y.value as Uint8Array;
              }
              val.image = img;
            } else if (x.field === 8) {
              for (const y of readProto(x.value as Uint8Array)) if (y.field === 8) val.text = dec.decode(y.value as Uint8Array);
            } else if (x.field === 9) {
              for (const y of readProto(x.value as Uint8Array)) if (y.field === 1) for (const z of readProto(y.value as Uint8Array)) if (z.field === 1) val.plugin = dec.decode(z.value as Uint8Array);
            }
          }
          ev.values.push(val);
        }
      }
    }
    out.push(ev);
  }
  return out;
}
