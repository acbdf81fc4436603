/**
 * Progress of a run: a live status line where one can be drawn (a terminal with a width, not CI),
 * plain lines at a fixed cadence otherwise (pipes, CI logs, a terminal that reports zero columns).
 * Messages that must stay (phase changes, checkpoints) are printed above the line.
 */
import { createLogUpdate } from 'log-update';

export interface Reporter {
  /** The live status (phase, epoch, step/total, losses, img/s, ETA). */
  status(line: string): void;
  /** A line that stays. */
  log(line: string): void;
  done(): void;
}

/** What the reporter needs of a stream (process.stderr, or a test's stand-in). */
export type ReportStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

/** Whether a live, redrawn status line can be drawn on `stream`. */
export function canDrawLiveLine(stream: ReportStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && (stream.columns ?? 0) > 0 && !env.CI;
}

/**
 * The reporter for a console stream. Plain mode prints the first status at once, then the newest
 * status every `everyMs` (`ATTNC_PROGRESS_MS`, default 10 s): at the next status after that long,
 * or from a timer when no status comes (a long evaluation or checkpoint), and never the same line
 * twice.
 */
export function consoleReporter(stream: ReportStream = process.stderr, options: { everyMs?: number; env?: NodeJS.ProcessEnv } = {}): Reporter {
  const env = options.env ?? process.env;
  if (canDrawLiveLine(stream, env)) {
    const live = createLogUpdate(stream as NodeJS.WriteStream);
    return {
      status: (l) => live(l),
      log: (l) => {
        live.clear();
        stream.write(`${l}\n`);
      },
      done: () => live.done(),
    };
  }
  const everyMs = options.everyMs ?? Number(env.ATTNC_PROGRESS_MS ?? 10_000);
  let last = 0;
  let latest: string | null = null;
  let printed: string | null = null;
  const print = () => {
    if (latest === null || latest === printed) return;
    last = Date.now();
    printed = latest;
    stream.write(`${latest}\n`);
  };
  const timer = setInterval(() => {
    if (Date.now() - last >= everyMs) print();
  }, Math.max(everyMs, 50));
  timer.unref();
  return {
    status: (l) => {
      latest = l;
      if (Date.now() - last >= everyMs) print();
    },
    log: (l) => stream.write(`${l}\n`),
    done: () => clearInterval(timer),
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
