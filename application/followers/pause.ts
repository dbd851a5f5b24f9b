/** A wait that a stop or a retry can cut short; an infinite wait lasts until it is. */
export class Pause {
  private cutShort: (() => void) | null = null;

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const end = () => {
        clearTimeout(timer);
        this.cutShort = null;
        resolve();
      };
      if (Number.isFinite(ms)) {
        timer = setTimeout(end, ms);
        // A waiting follower must not keep the process alive.
        timer.unref();
      }
      this.cutShort = end;
    });
  }

  interrupt(): void {
    this.cutShort?.();
  }
}
