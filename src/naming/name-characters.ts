import { badInput } from '../common/errors';
import { joinerAllowed, ZWJ, ZWNJ } from './joiners';
import { mixedScripts } from './scripts';

/**
 * Which characters a name, tag or username may hold (SPEC section 12), so that names that look the same are
 * the same name: the one module every path that takes a name calls. Judged after NFKC, with Node's own
 * Unicode data (ICU through regular-expression property escapes), the data `normalize` already uses.
 */
export interface NameProblem {
  /** "format character", "unassigned", "private use", "noncharacter", "unpaired surrogate", "mixed scripts". */
  rule: string;
  /** The character at fault, as `U+200B`. */
  codePoint: string;
  /** For mixed scripts: the scripts mixed, in order of appearance. */
  scripts?: string[];
  /** The problem in words, without the name (`contains U+200B (format character: …)`). */
  detail: string;
}

/** Printable or not, an ASCII string holds none of the characters refused here and is its own NFKC form. */
const ASCII = /^[\0-\x7f]*$/;
const SUSPECT = /[\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
const SURROGATE = /\p{Cs}/u;
const FORMAT = /\p{Cf}/u;
const PRIVATE_USE = /\p{Co}/u;
const UNASSIGNED = /\p{Cn}/u;

const codePointLabel = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The NFKC form of `raw`, refusing (BAD_USER_INPUT) any character SPEC section 12 refuses. An unpaired
 * surrogate is looked for before normalising: left alone it would reach the database as U+FFFD.
 */
export function normalizeName(raw: string, what: string): string {
  if (ASCII.test(raw)) return raw;
  const surrogate = SURROGATE.exec(raw);
  if (surrogate) refuse(what, problemAt('unpaired surrogate', raw.charCodeAt(surrogate.index)));
  const name = raw.normalize('NFKC');
  const problem = characterProblem(name);
  if (problem) refuse(what, problem);
  return name;
}

/** Refuses (BAD_USER_INPUT) a name that mixes scripts beyond UTS #39's Highly Restrictive level. */
export function assertOneScript(name: string, what: string): void {
  const problem = scriptProblem(name);
  if (problem) refuse(what, problem);
}

/** The first rule an (NFKC) name breaks, for reports over stored names; undefined when it breaks none. */
export function nameProblem(name: string): NameProblem | undefined {
  if (ASCII.test(name)) return undefined;
  return characterProblem(name) ?? scriptProblem(name);
}

/** `name` without the characters the per-character rules refuse (a starting point for a rename). */
export function withoutRefusedCharacters(name: string): string {
  if (!SUSPECT.test(name)) return name;
  const codePoints = Array.from(name, (char) => char.codePointAt(0)!);
  return String.fromCodePoint(...codePoints.filter((_, at) => !ruleBroken(codePoints, at)));
}

function characterProblem(name: string): NameProblem | undefined {
  if (!SUSPECT.test(name)) return undefined;
  const codePoints = Array.from(name, (char) => char.codePointAt(0)!);
  for (let at = 0; at < codePoints.length; at++) {
    const rule = ruleBroken(codePoints, at);
    if (rule) return problemAt(rule, codePoints[at]);
  }
  return undefined;
}

function ruleBroken(codePoints: readonly number[], at: number): string | undefined {
  const cp = codePoints[at];
  if (cp >= 0xd800 && cp <= 0xdfff) return 'unpaired surrogate';
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return 'noncharacter';
  const char = String.fromCodePoint(cp);
  if (PRIVATE_USE.test(char)) return 'private use';
  if (UNASSIGNED.test(char)) return 'unassigned';
  if (FORMAT.test(char) && !((cp === ZWJ || cp === ZWNJ) && joinerAllowed(codePoints, at))) return 'format character';
  return undefined;
}

const EXPLAINED: Record<string, string> = {
  'format character': 'format character: invisible or direction-changing',
  unassigned: `unassigned in Unicode ${process.versions.unicode}`,
  'private use': 'private use: it means nothing outside one system',
  noncharacter: 'noncharacter',
  'unpaired surrogate': 'unpaired surrogate: not text',
};
const JOINER_EXPLAINED = 'format character: a joiner is allowed only after a virama, between joining letters (ZWNJ) or inside an emoji sequence (ZWJ)';

function problemAt(rule: string, cp: number): NameProblem {
  const explained = (cp === ZWJ || cp === ZWNJ) && rule === 'format character' ? JOINER_EXPLAINED : EXPLAINED[rule];
  return { rule, codePoint: codePointLabel(cp), detail: `contains ${codePointLabel(cp)} (${explained})` };
}

function scriptProblem(name: string): NameProblem | undefined {
  const uses = mixedScripts(name);
  if (!uses) return undefined;
  const scripts = uses.map((use) => use.script);
  const codePoint = codePointLabel(uses[1].codePoint);
  const listed = `${scripts.slice(0, -1).join(', ')} and ${scripts.at(-1)}`;
  return {
    rule: 'mixed scripts',
    codePoint,
    scripts,
    detail: `mixes scripts ${listed} (${codePoint} is ${scripts[1]}): a name is in one script, or Latin with Han and kana, Bopomofo or Hangul`,
  };
}

function refuse(what: string, problem: NameProblem): never {
  const { rule, codePoint, scripts } = problem;
  throw badInput(`The ${what} ${problem.detail}`, { rule, codePoint, ...(scripts && { scripts }) });
}
