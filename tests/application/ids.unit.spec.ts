import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { newId } from '../../application/ids.js';

describe('new ids', () => {
  it('are version 7 UUIDs, all different, each after the one before, thousands in a millisecond included', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(ids.every((id) => validate(id) && version(id) === 7)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    // More ids than one draw of random bytes holds, so the bytes are drawn again and still differ.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});
