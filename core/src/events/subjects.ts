/** The first token of every subject built by the SDK's `eventSubject` and `eventFilterSubject`. */
export const SDK_SUBJECT_ROOT = 'omni';

/** Whether a subject matches a NATS subject pattern (`*` matches one token, a final `>` one or more). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const patternTokens = pattern.split('.');
  const subjectTokens = subject.split('.');
  for (const [i, token] of patternTokens.entries()) {
    if (token === '>') return subjectTokens.length > i;
    if (i >= subjectTokens.length || (token !== '*' && token !== subjectTokens[i])) return false;
  }
  return patternTokens.length === subjectTokens.length;
}

/** Re-roots an SDK subject: `omni.message.>` becomes `<root>.message.>`. */
export function withSubjectRoot(subject: string, root: string): string {
  if (!subject.startsWith(`${SDK_SUBJECT_ROOT}.`)) throw new Error(`Subject "${subject}" does not start with "${SDK_SUBJECT_ROOT}."`);
  return root + subject.slice(SDK_SUBJECT_ROOT.length);
}

/** The domain token of an event subject or filter (`>` for a filter spanning all domains). */
export function subjectDomain(subject: string): string {
  const domain = subject.split('.')[1];
  if (!domain) throw new Error(`Subject "${subject}" has no domain token`);
  return domain;
}
