/**
 * Where a zero-width joiner (U+200D) or non-joiner (U+200C) changes how a word is written, and so may stay in
 * a name: IDNA's CONTEXTJ rules (RFC 5892, appendix A.1 and A.2), and ZWJ inside an emoji ZWJ sequence
 * (UTS #51), as in 👨‍👩‍👧. Anywhere else they are invisible and make a lookalike name.
 */
export const ZWNJ = 0x200c;
export const ZWJ = 0x200d;

/**
 * Joining_Type from Unicode 17's DerivedJoiningType.txt, the Unicode version of Node 20's ICU (as taken by
 * Python's `idna` 3.13, whose tables are generated from it). JavaScript has no `\p{Joining_Type}`.
 * `LEFT_JOINING` is L or D (joins the letter after it), `RIGHT_JOINING` is R or D (joins the letter before it).
 */
const LEFT_JOINING =
  /[\u0620\u0626\u0628\u062A-\u062E\u0633-\u063F\u0641-\u0647\u0649\u064A\u066E\u066F\u0678-\u0687\u069A-\u06BF\u06C1\u06C2\u06CC\u06CE\u06D0\u06D1\u06FA-\u06FC\u06FF\u0712-\u0714\u071A-\u071D\u071F-\u0727\u0729\u072B\u072D\u072E\u074E-\u0758\u075C-\u076A\u076D-\u0770\u0772\u0775-\u0777\u077A-\u077F\u07CA-\u07EA\u0841-\u0845\u0848\u084A-\u0853\u0855\u0860\u0862-\u0865\u0868\u0886\u0889-\u088D\u088F\u08A0-\u08A9\u08AF\u08B0\u08B3-\u08B8\u08BA-\u08C8\u1807\u1820-\u1878\u1887-\u18A8\u18AA\uA840-\uA872\u{10AC0}-\u{10AC4}\u{10ACD}\u{10AD3}-\u{10ADC}\u{10ADE}-\u{10AE0}\u{10AEB}-\u{10AEE}\u{10B80}\u{10B82}\u{10B86}-\u{10B88}\u{10B8A}\u{10B8B}\u{10B8D}\u{10B90}\u{10BAD}\u{10BAE}\u{10D00}-\u{10D21}\u{10D23}\u{10EC3}\u{10EC4}\u{10EC6}\u{10EC7}\u{10F30}-\u{10F32}\u{10F34}-\u{10F44}\u{10F51}-\u{10F53}\u{10F70}-\u{10F73}\u{10F76}-\u{10F81}\u{10FB0}\u{10FB2}\u{10FB3}\u{10FB8}\u{10FBB}\u{10FBC}\u{10FBE}\u{10FBF}\u{10FC1}\u{10FC4}\u{10FCA}\u{10FCB}\u{1E900}-\u{1E943}]/u;
const RIGHT_JOINING =
  /[\u0620\u0622-\u063F\u0641-\u064A\u066E\u066F\u0671-\u0673\u0675-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FC\u06FF\u0710\u0712-\u072F\u074D-\u077F\u07CA-\u07EA\u0840-\u0858\u0860\u0862-\u0865\u0867-\u086A\u0870-\u0882\u0886\u0889-\u088F\u08A0-\u08AC\u08AE-\u08C8\u1807\u1820-\u1878\u1887-\u18A8\u18AA\uA840-\uA871\u{10AC0}-\u{10AC5}\u{10AC7}\u{10AC9}\u{10ACA}\u{10ACE}-\u{10AD6}\u{10AD8}-\u{10AE1}\u{10AE4}\u{10AEB}-\u{10AEF}\u{10B80}-\u{10B91}\u{10BA9}-\u{10BAE}\u{10D01}-\u{10D23}\u{10EC2}-\u{10EC4}\u{10EC6}\u{10EC7}\u{10F30}-\u{10F44}\u{10F51}-\u{10F54}\u{10F70}-\u{10F81}\u{10FB0}\u{10FB2}-\u{10FB6}\u{10FB8}-\u{10FBF}\u{10FC1}-\u{10FC4}\u{10FC9}\u{10FCA}\u{1E900}-\u{1E943}]/u;
/**
 * Joining_Type T, by ArabicShaping.txt's own rule: unlisted characters of category Mn, Me or Cf are T. The
 * characters it lists otherwise (as U or C) are taken out, and the one it lists as T beyond them put in.
 */
const MARK_OR_FORMAT = /[\p{Mn}\p{Me}\p{Cf}\u{1E94B}]/u;
const LISTED_NOT_TRANSPARENT = /[\u0600-\u0605\u06DD\u0890\u0891\u08E2\u180E\u200C-\u200D\u2066-\u2069\u{110BD}\u{110CD}]/u;

const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const VS16 = 0xfe0f;
const isSkinTone = (cp: number) => cp >= 0x1f3fb && cp <= 0x1f3ff;

const test = (regex: RegExp, cp: number | undefined) => cp !== undefined && regex.test(String.fromCodePoint(cp));
const isTransparent = (cp: number) => test(MARK_OR_FORMAT, cp) && !test(LISTED_NOT_TRANSPARENT, cp);

/** Whether the joiner at `codePoints[at]` is one that RFC 5892 or an emoji ZWJ sequence allows there. */
export function joinerAllowed(codePoints: readonly number[], at: number): boolean {
  const before = codePoints[at - 1];
  if (before !== undefined && isVirama(before)) return true;
  return codePoints[at] === ZWNJ ? betweenJoiningLetters(codePoints, at) : inEmojiSequence(codePoints, at);
}

/**
 * Canonical_Combining_Class 9, read from Node's own normalisation data, which JavaScript offers no property
 * for: canonical ordering (UAX #15) moves a mark behind a following one of lower non-zero class, so `x`'s
 * class is above 8 when it moves behind U+3099 (class 8), and below 10 when U+05B0 (class 10) moves behind it.
 * No character of class 9 has a decomposition, so one that has fails both comparisons; the two marks
 * themselves would compare equal without moving, hence their own test.
 */
export function isVirama(cp: number): boolean {
  if (cp === 0x3099 || cp === 0x05b0) return false;
  const x = String.fromCodePoint(cp);
  return (x + '\u3099').normalize('NFD') === '\u3099' + x && ('\u05B0' + x).normalize('NFD') === x + '\u05B0';
}

/** RFC 5892 A.1: (L|D) T* ZWNJ T* (R|D). */
function betweenJoiningLetters(codePoints: readonly number[], at: number): boolean {
  let left = at - 1;
  while (left >= 0 && isTransparent(codePoints[left])) left--;
  let right = at + 1;
  while (right < codePoints.length && isTransparent(codePoints[right])) right++;
  return test(LEFT_JOINING, codePoints[left]) && test(RIGHT_JOINING, codePoints[right]);
}

/** A pictograph (maybe with VS16 and a skin tone), ZWJ, a pictograph. */
function inEmojiSequence(codePoints: readonly number[], at: number): boolean {
  let left = at - 1;
  while (left >= 0 && (codePoints[left] === VS16 || isSkinTone(codePoints[left]))) left--;
  return test(PICTOGRAPHIC, codePoints[left]) && test(PICTOGRAPHIC, codePoints[at + 1]);
}
