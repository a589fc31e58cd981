import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeService, tempDir } from '../../helpers/stores';

describe('compositions', () => {
  it('marks an exception that matches every ordinary address or value, whatever the list it is in', () => {
    const { svc } = makeService();
    svc.createComposition('A');
    const everyone = svc.addDestinationException('A', '@', 'a catch-all from the CLI');
    const partner = svc.addDestinationException('A', '@partner\\.example$');
    const anyValue = svc.addHeaderException('A', 'X-Campaign', '.*');
    const marked = (c: ReturnType<typeof svc.getComposition>) => [
      ...c.destinationExceptions.filter((e) => e.matchesEverything).map((e) => e.id),
      ...c.headerExceptions.filter((e) => e.matchesEverything).map((e) => e.id),
    ];
    // the defaults (carrier domains, already signed or encrypted mail) are not catch-alls
    expect(marked(svc.getComposition('A'))).toEqual([everyone.id, anyValue.id]);
    expect(marked(svc.listCompositions()[0]!)).toEqual([everyone.id, anyValue.id]);
    expect(svc.getComposition('A').destinationExceptions.find((e) => e.id === partner.id)).not.toHaveProperty(
      'matchesEverything',
    );
    // turned off, it is still marked: turning it on again would unsign everything
    svc.setExceptionEnabled('A', everyone.id, false);
    expect(marked(svc.getComposition('A'))).toEqual([everyone.id, anyValue.id]);
  });

  it('renames, refuses duplicates and unknown names, deletes', () => {
    const { svc } = makeService();
    svc.createComposition('A');
    expect(() => svc.createComposition('a')).toThrow(/already exists/);
    expect(() => svc.createComposition('   ')).toThrow(/^a composition name has 1 to 64/);
    svc.renameComposition('A', 'B');
    expect(() => svc.getComposition('A')).toThrow(/there is no composition named "A"/);
    svc.deleteComposition('B');
    expect(svc.listCompositions()).toEqual([]);
  });

  it('keeps its id across a rename, finds it by id, and makes the rename a pending change', async () => {
    const { svc } = makeService();
    const { id } = svc.createComposition('本番');
    const renamed = svc.renameComposition('本番', '本番 relay/1');
    expect(renamed.id).toBe(id);
    expect(svc.getComposition(id).name).toBe('本番 relay/1');
    expect(svc.pending(id)[0]).toMatchObject({
      composition: '本番 relay/1',
      changes: [{ kind: 'never-reflected', subject: '本番 relay/1' }],
    });
  });

  it('after a reflection, a rename is pending until the next one', async () => {
    const { svc } = makeService();
    svc.createComposition('検証');
    await svc.reflect('検証', 'a long bundle passphrase', join(tempDir(), 'b.json'), undefined, { confirm: 'all' });
    expect(svc.pending('検証')[0]!.changes).toEqual([]);
    svc.renameComposition('検証', 'Staging');
    expect(svc.pending('Staging')[0]!.changes).toEqual([{ kind: 'renamed', subject: '検証 → Staging' }]);
    expect(svc.getComposition('Staging').pending).toBe(true);
  });
});
