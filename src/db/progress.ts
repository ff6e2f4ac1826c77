import { SingleBar } from 'cli-progress';

/**
 * Progress of long operator work (migration steps, `db:dedupe --apply`): on a terminal a live bar
 * (cli-progress), elsewhere (CI, logs, `npm start`'s JSON log) one plain line per update, at most one every
 * `intervalMs`. A task that ends before its first interval prints nothing, so short steps stay quiet.
 */
export interface ProgressReporter {
  begin(title: string, unit: string): ProgressTask;
}

export interface ProgressUpdate {
  done: number;
  total: number;
  /** Overrides the task's unit for this update (an index build counts blocks, then tuples). */
  unit?: string;
  /** What the work is doing now (`building index: scanning table`). */
  phase?: string;
  /** What it waits for, or another remark; printed after the figures. */
  note?: string;
  /** False for figures that say nothing of time (transactions waited out): no rate, no time left. */
  timed?: boolean;
}

export interface ProgressTask {
  update(update: ProgressUpdate): void;
  /** A remark without new figures (a lock wait, a retry); printed at once on a line of its own. */
  note(message: string): void;
  end(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressSettings {
  mode: ProgressMode;
  intervalMs: number;
  /** Where plain lines go (the migrator's logger, the console). */
  write(line: string): void;
  now?: () => number;
}

/** `MIGRATION_PROGRESS` (auto, bar, lines, off) and `MIGRATION_PROGRESS_INTERVAL` (seconds between lines, default 5). */
export function progressSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { mode: ProgressMode | 'auto'; intervalMs: number } {
  const raw = (env.MIGRATION_PROGRESS ?? 'auto').toLowerCase();
  if (!['auto', 'bar', 'lines', 'off'].includes(raw)) throw new Error(`MIGRATION_PROGRESS must be auto, bar, lines or off, got "${raw}"`);
  const seconds = Number(env.MIGRATION_PROGRESS_INTERVAL ?? 5);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`MIGRATION_PROGRESS_INTERVAL must be seconds, got "${env.MIGRATION_PROGRESS_INTERVAL}"`);
  return { mode: raw as ProgressMode | 'auto', intervalMs: seconds * 1000 };
}

export function progressReporter(settings: ProgressSettings): ProgressReporter {
  const now = settings.now ?? (() => performance.now());
  if (settings.mode === 'off') return { begin: () => SILENT_TASK };
  if (settings.mode === 'bar') return { begin: (title, unit) => new BarTask(title, unit, settings.write, now) };
  return { begin: (title, unit) => new LineTask(title, unit, settings, now) };
}

export const silentProgress: ProgressReporter = { begin: () => SILENT_TASK };
const SILENT_TASK: ProgressTask = { update: () => undefined, note: () => undefined, end: () => undefined };

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Rate and time left from the average since the task began: steadier than the last interval's. */
export function describeUpdate(title: string, unit: string, update: ProgressUpdate, elapsedMs: number): string {
  const unitName = update.unit ?? unit;
  const rate = elapsedMs > 0 ? update.done / (elapsedMs / 1000) : 0;
  const parts = [`${count.format(update.done)} / ${count.format(update.total)} ${unitName}`];
  if (update.total > 0) parts[0] += ` (${((100 * update.done) / update.total).toFixed(1)}%)`;
  if (update.timed !== false) parts.push(`${count.format(rate)} ${unitName}/s`);
  if (update.total > 0 && update.timed !== false) parts.push(update.done >= update.total ? 'done' : `about ${formatSeconds(rate > 0 ? (update.total - update.done) / rate : Infinity)} left`);
  const phase = update.phase ? `${update.phase}: ` : '';
  const note = update.note ? ` (${update.note})` : '';
  return `${title}: ${phase}${parts.join(', ')}${note}`;
}

class LineTask implements ProgressTask {
  /** When the current phase began: a phase's rate says nothing of the next one's (an index build's). */
  private started: number;
  private lastPrinted: number;
  private printed = false;
  private last?: ProgressUpdate;
  private lastShown?: ProgressUpdate;

  constructor(
    private readonly title: string,
    private readonly unit: string,
    private readonly settings: ProgressSettings,
    private readonly now: () => number,
  ) {
    this.started = now();
    this.lastPrinted = this.started;
  }

  update(update: ProgressUpdate): void {
    const at = this.now();
    if (this.last && (update.phase !== this.last.phase || update.unit !== this.last.unit)) this.started = at;
    this.last = update;
    if (at - this.lastPrinted < this.settings.intervalMs) return;
    this.print(update, at);
  }

  note(message: string): void {
    this.printed = true;
    this.settings.write(`${this.title}: ${message}`);
  }

  /** The last figures, when the task printed anything and they are not shown yet: the operator sees it finish. */
  end(): void {
    if (this.printed && this.last && this.last !== this.lastShown) this.print(this.last, this.now());
  }

  private print(update: ProgressUpdate, at: number): void {
    this.printed = true;
    this.lastShown = update;
    this.lastPrinted = at;
    this.settings.write(describeUpdate(this.title, this.unit, update, at - this.started));
  }
}

/** A live line on stderr; the final figures are written as a plain line when it ends. */
class BarTask implements ProgressTask {
  private bar?: SingleBar;
  private started: number;
  private last?: ProgressUpdate;

  constructor(
    private readonly title: string,
    private readonly unit: string,
    private readonly write: (line: string) => void,
    private readonly now: () => number,
  ) {
    this.started = now();
  }

  update(update: ProgressUpdate): void {
    const newPhase = this.last !== undefined && (update.phase !== this.last.phase || update.unit !== this.last.unit);
    this.last = update;
    if (newPhase) this.started = this.now();
    const seconds = (this.now() - this.started) / 1000;
    const payload = {
      title: this.title,
      phase: update.phase ? `${update.phase} ` : '',
      unit: update.unit ?? this.unit,
      rate: count.format(seconds > 0 ? update.done / seconds : 0),
      note: update.note ? ` ${update.note}` : '',
    };
    if (!this.bar || newPhase) {
      this.bar?.stop();
      this.bar = new SingleBar({
        format: '{title}: {phase}[{bar}] {percentage}% | {value}/{total} {unit} | {rate} {unit}/s | ETA {eta_formatted}{note}',
        hideCursor: true,
        etaBuffer: 50,
        formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? count.format(value) : String(value)),
      });
      this.bar.start(update.total, update.done, payload);
      return;
    }
    this.bar.setTotal(update.total);
    this.bar.update(update.done, payload);
  }

  note(message: string): void {
    if (this.bar) this.bar.update({ note: ` ${message}` });
    else this.write(`${this.title}: ${message}`);
  }

  end(): void {
    if (!this.bar) return;
    this.bar.stop();
    if (this.last) this.write(describeUpdate(this.title, this.unit, this.last, this.now() - this.started));
  }
}
