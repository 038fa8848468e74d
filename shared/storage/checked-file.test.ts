import { describe, expect, it } from 'vitest';
import { fileObjectKeys } from './checked-file.js';

const OWNER = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const FILE = '01JZYXWVTSRQPNMKJHGFEDCBA9';

describe('the object keys of checked files', () => {
  const keys = fileObjectKeys('evidence', 'personId');

  it('reads back the ids its upload key names, and nothing else', () => {
    const key = keys.keyOf(OWNER, FILE);
    expect(key).toBe(`evidence/${OWNER}/${FILE}`);
    expect(keys.idsOfKey(key)).toEqual({ personId: OWNER, attachmentId: FILE });
    expect(keys.idsOfKey(`attachments/${OWNER}/${FILE}`)).toBeUndefined();
    expect(keys.idsOfKey(`evidence/${OWNER}/${FILE}/x`)).toBeUndefined();
    expect(keys.idsOfKey(`evidence/${OWNER}/not-an-id`)).toBeUndefined();
    expect(keys.idsOfKey(`published/evidence/${OWNER}/${FILE}`)).toBeUndefined();
  });

  it('puts checked copies outside the upload prefix, under the file they belong to', () => {
    const copy = keys.copyKeyOf(OWNER, FILE, 'event-1');
    expect(copy.startsWith('evidence/')).toBe(false);
    expect(copy.startsWith(keys.copiesOf(OWNER, FILE))).toBe(true);
  });
});
