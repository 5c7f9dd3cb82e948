import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_MIN_FILE_BYTES } from '@crossrt/model';

/**
 * Cases in flight are bounded by the bytes this process holds for them, not only by their number:
 * 32 cases of 245 MB CNNs once held 2 GB here. The budget is 1.5 × the largest case seen so far
 * (at least IN_FLIGHT_FLOOR_BYTES), so the harness process stays within its own ~150 MB plus
 * 1.5 × the largest model and its tensors, whatever the number of cases; a case larger than the
 * budget runs alone.
 */
export const IN_FLIGHT_FLOOR_BYTES = 64 * 1024 ** 2;
export const IN_FLIGHT_LARGEST_FACTOR = 1.5;

/** The byte budget of cases in flight once the largest case seen holds `largestCaseBytes`. Pure. */
export function inFlightLimitBytes(largestCaseBytes: number): number {
  return Math.max(IN_FLIGHT_FLOOR_BYTES, IN_FLIGHT_LARGEST_FACTOR * largestCaseBytes);
}

/** What one case's files make this process hold. */
export interface CaseFileBytes {
  /** The .onnx file: held whole below REFERENCE_MIN_FILE_BYTES; above, only its graph (weights stay on disk, counted as at most that much). */
  readonly modelFileBytes: number;
  /** Input tensors (all input sets): held, and copied to each target's host. */
  readonly inputBytes: number;
  /** Expected outputs: held, and each target sends back as much again. */
  readonly expectedBytes: number;
}

/** Bytes a case holds in this process while in flight, on `targets` targets. Pure. */
export function caseHeldBytes(c: CaseFileBytes, targets: number): number {
  const model = Math.min(c.modelFileBytes, REFERENCE_MIN_FILE_BYTES);
  return model + c.inputBytes + c.expectedBytes * (1 + targets);
}

/** The file sizes of an ONNX backend test-case folder (model.onnx + test_data_set_N/{input,output}_K.pb); 0s where missing. */
export function backendCaseFileBytes(dir: string): CaseFileBytes {
  let modelFileBytes = 0,
    inputBytes = 0,
    expectedBytes = 0;
  try {
    modelFileBytes = statSync(join(dir, 'model.onnx')).size;
    for (const set of readdirSync(dir, { withFileTypes: true })) {
      if (!set.isDirectory() || !set.name.startsWith('test_data_set_')) continue;
      for (const f of readdirSync(join(dir, set.name))) {
        const bytes = statSync(join(dir, set.name, f)).size;
        if (f.startsWith('input_')) inputBytes += bytes;
        else if (f.startsWith('output_')) expectedBytes += bytes;
      }
    }
  } catch {
    // an unreadable case fails in its own load, holding nothing
  }
  return { modelFileBytes, inputBytes, expectedBytes };
}

/**
 * Admits work while the bytes in flight stay within inFlightLimitBytes (and the count within
 * `maxCases`), first come first served; with nothing in flight anything is admitted, so a case larger
 * than the budget runs alone rather than never.
 */
export class InFlightBytes {
  private bytes = 0;
  private count = 0;
  private largest = 0;
  private readonly waiting: { readonly bytes: number; readonly admit: () => void }[] = [];

  constructor(private readonly maxCases = Number.POSITIVE_INFINITY) {}

  get inFlight(): { readonly bytes: number; readonly cases: number; readonly limitBytes: number } {
    return { bytes: this.bytes, cases: this.count, limitBytes: inFlightLimitBytes(this.largest) };
  }

  /** Wait until `bytes` fit; returns the release to call when the case no longer holds them. */
  async acquire(bytes: number): Promise<() => void> {
    this.largest = Math.max(this.largest, bytes);
    // Bytes are counted when admitted (here or in admitWaiting), so the next in line sees them taken.
    if (this.waiting.length === 0 && this.fits(bytes)) this.take(bytes);
    else await new Promise<void>((admit) => this.waiting.push({ bytes, admit }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.bytes -= bytes;
      this.count--;
      this.admitWaiting();
    };
  }

  private take(bytes: number): void {
    this.bytes += bytes;
    this.count++;
  }

  private fits(bytes: number): boolean {
    if (this.count === 0) return true;
    return this.count < this.maxCases && this.bytes + bytes <= inFlightLimitBytes(this.largest);
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.take(next.bytes);
      next.admit();
    }
  }
}
