import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Hands out producer ids that are never reused: the next id is kept in a file, written
 * (and fsynced) before an id is returned, and never below an id already seen in the logs.
 */
export class ProducerIdAllocator {
  private readonly file: string;
  private next: number;

  constructor(dataDir: string, highestInLogs: number) {
    this.file = path.join(dataDir, 'producer-ids.json');
    const stored = fs.existsSync(this.file) ? readNext(this.file) : 0;
    this.next = Math.max(stored, highestInLogs + 1);
  }

  allocate(): number {
    const id = this.next++;
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, JSON.stringify({ next: this.next }));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
    return id;
  }
}

function readNext(file: string): number {
  try {
    const { next } = JSON.parse(fs.readFileSync(file, 'utf8')) as { next: number };
    return Number.isSafeInteger(next) && next >= 0 ? next : 0;
  } catch {
    return 0;
  }
}
