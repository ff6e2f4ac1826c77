import { nameProblem, withoutRefusedCharacters } from './name-characters';
import { scriptOf } from './scripts';

/**
 * A rename to offer a person for a stored name the rules of SPEC section 12 refuse (`db:dedupe` prints it;
 * nothing applies it). Refused characters are dropped; letters of a minority script that UTS #39's
 * confusables.txt maps to a letter of the name's main script are swapped for it (the Latin, Cyrillic and
 * Greek lookalikes, which is where spoofed names come from). Undefined when that does not give a valid name.
 */
const LATIN_LOOKALIKES: Record<string, string> = {
  Cyrillic: 'аa еe оo рp сc уy хx ѕs іi јj ԁd һh ԛq ԝw ӏl АA ВB ЕE КK МM НH ОO РP СC ТT ХX УY ЅS ІI ЈJ ԚQ ԜW',
  Greek: 'οo αa νv ρp ιi υu ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX',
};
const pairs = (script: string) => LATIN_LOOKALIKES[script].split(' ').map(([other, latin]) => [other, latin] as const);
const TO_LATIN = new Map(Object.keys(LATIN_LOOKALIKES).flatMap(pairs));
const FROM_LATIN: Record<string, Map<string, string>> = Object.fromEntries(
  Object.keys(LATIN_LOOKALIKES).map((script) => [script, new Map(pairs(script).map(([other, latin]) => [latin, other]))]),
);

/** The suggested rename of a refused (NFKC) name, or undefined when a person must choose one. */
export function suggestedRename(name: string): string | undefined {
  const kept = withoutRefusedCharacters(name).trim().replace(/\s+/gu, ' ');
  const main = mainScript(kept);
  const swapped = Array.from(kept, (char) => {
    const script = scriptOf(char);
    if (!script || script === main) return char;
    return (main === 'Latin' ? TO_LATIN.get(char) : FROM_LATIN[main ?? '']?.get(char)) ?? char;
  }).join('');
  return swapped !== '' && nameProblem(swapped) === undefined ? swapped : undefined;
}

/** The script most of the name's letters are in. */
function mainScript(name: string): string | undefined {
  const count = new Map<string, number>();
  for (const char of name) {
    const script = scriptOf(char);
    if (script) count.set(script, (count.get(script) ?? 0) + 1);
  }
  return [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
}
