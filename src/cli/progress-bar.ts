/**
 * A progress bar drawn on a terminal's line (carriage return, no newline until `done`).
 *
 * @internal
 */
export class ProgressBar {
  private readonly write: (text: string) => void;
  private readonly label: string;
  private drawn = false;

  constructor(label: string, write: (text: string) => void) {
    this.label = label;
    this.write = write;
  }

  /** Draws `done` of `total`. */
  update(done: number, total: number): void {
    const ratio = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
    const width = 30;
    const filled = Math.round(ratio * width);
    this.write(
      `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(
        ratio * 100,
      )
        .toString()
        .padStart(3)}% ${done}/${total}`,
    );
    this.drawn = true;
  }

  /** Ends the line. */
  done(): void {
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }
}
