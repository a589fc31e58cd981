import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededService } from '../../helpers/admin';
import { TestPki } from '../../helpers/pki';
import { tempDir } from '../../helpers/stores';

let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

const PASS = 'a long bundle passphrase';

describe('the review of a re-export', () => {
  it('shows what the earlier reflection sends, and asks for the confirmations that reflecting it needs', async () => {
    const { svc } = await seededService(pki);
    const out = tempDir();
    const everything = svc.addDestinationException('Transactional', '.*');
    await svc.reflect('Transactional', PASS, out, undefined, { confirm: 'all' });
    svc.removeException('Transactional', everything.id);
    await svc.reflect('Transactional', PASS, out);

    // now: nothing to confirm; reflection 1 again: its catch-all exception, back
    expect(svc.reviewReflection('Transactional').confirmations).toEqual([]);
    const review = svc.reviewReflection('Transactional', 1);
    expect(review.confirmations).toEqual([
      { code: 'matches-everything', params: { kind: 'destination', id: everything.id, pattern: '.*' } },
    ]);
    expect(review.changes).toEqual([{ kind: 'destination-added', subject: '.*' }]);
    expect(review.destinationExceptions.some((e) => e.pattern === '.*')).toBe(true);
    expect(review.suggestedFileName).toMatch(/-r3-/);

    // confirming what the current review asks is not enough for the re-export; its own review is
    await expect(
      svc.reflect('Transactional', PASS, out, undefined, {
        reexportOf: 1,
        confirm: svc.reviewReflection('Transactional').confirmationKeys,
      }),
    ).rejects.toMatchObject({ code: 'REFLECT_NOT_CONFIRMED' });
    const r = await svc.reflect('Transactional', PASS, out, undefined, {
      reexportOf: 1,
      confirm: review.confirmationKeys,
    });
    expect(r.serial).toBe(3);
    expect(() => svc.reviewReflection('Transactional', 7)).toThrow(/no reflection number 7/);
  });
});
