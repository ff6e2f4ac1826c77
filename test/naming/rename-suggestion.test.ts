import { describe, expect, it } from 'vitest';
import { suggestedRename } from '../../src/naming/rename-suggestion';

describe('suggested renames for stored lookalike names', () => {
  it.each([
    ['Clim\u200Bate', 'Climate', 'an invisible character dropped'],
    ['\u202EClimate\u2069', 'Climate', 'bidi controls dropped'],
    ['Clim\uE000ate', 'Climate', 'private use dropped'],
    ['Cl\u0456mate', 'Climate', 'a Cyrillic і in Latin swapped for i'],
    ['Clima\u03C4e', undefined, 'a Greek τ has no Latin lookalike in confusables'],
    ['\u0430dmin', 'admin', 'a Cyrillic а in Latin swapped for a'],
    ['Мoсква', 'Москва', 'a Latin o in Cyrillic swapped for о'],
    ['Ελλάδa', 'Ελλάδα', 'a Latin a in Greek swapped for α'],
    ['東京 Москва', undefined, 'Han with Cyrillic: a person chooses'],
    ['\u200B', undefined, 'nothing left'],
  ] as [string, string | undefined, string][])('%j → %j (%s)', (name, rename) => {
    expect(suggestedRename(name)).toBe(rename);
  });
});
