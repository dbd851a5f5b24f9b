import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const startScript = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const imageCommand = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))![1]!) as string[];

describe('how the server is started', () => {
  it('npm start and the image run node with the same flags', () => {
    expect(imageCommand).toEqual(startScript.split(/\s+/));
  });

  it('caps the heap, so V8 collects before garbage grows to four times the live heap', () => {
    const cap = /--max-old-space-size=(\d+)/.exec(startScript);
    expect(cap).not.toBeNull();
    expect(Number(cap![1])).toBeLessThan(2048);
  });
});
