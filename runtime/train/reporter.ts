/**
 * Progress of a run: a live status line on a terminal (log-update), plain periodic lines otherwise
 * (CI logs, pipes). Messages that must stay (phase changes, checkpoints) are printed above the line.
 */
import { createLogUpdate } from 'log-update';

export interface Reporter {
  /** The live status (phase, epoch, step/total, losses, img/s, ETA). */
  status(line: string): void;
  /** A line that stays. */
  log(line: string): void;
  done(): void;
}

export function consoleReporter(stream: NodeJS.WriteStream = process.stderr): Reporter {
  if (stream.isTTY && !process.env.CI) {
    const live = createLogUpdate(stream);
    return {
      status: (l) => live(l),
      log: (l) => {
        live.clear();
        stream.write(`${l}\n`);
      },
      done: () => live.done(),
    };
  }
  // Plain output (pipes, CI): the status at most every `everyMs`, so logs stay readable.
  const everyMs = Number(process.env.ATTNC_PROGRESS_MS ?? 10_000);
  let last = 0;
  return {
    status: (l) => {
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        stream.write(`${l}\n`);
      }
    },
    log: (l) => stream.write(`${l}\n`),
    done: () => {},
  };
}

export function silentReporter(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, status: (l) => lines.push(l), log: (l) => lines.push(l), done: () => {} };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
