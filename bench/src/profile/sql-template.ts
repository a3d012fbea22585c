/**
 * A statement with its values gone (MikroORM inlines them): strings and numbers become `?`,
 * `in (?, ?, …)` lists fold to `?…`, whitespace is squeezed.
 */
export function sqlTemplate(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/(?<![\w`"])-?\d+(?:\.\d+)?(?![\w`"])/g, '?')
    .replace(/\?(?:, \?)+/g, '?…')
    .trim();
}

/** `select message_events`, `insert persons`, `begin`…: the verb and the first table named. */
export function sqlKind(template: string): string {
  const verb = /^\s*(\w+)/.exec(template)?.[1]?.toLowerCase() ?? '?';
  const table = /\b(?:from|into|update)\s+[`"]?(\w+)/i.exec(template)?.[1];
  return table ? `${verb} ${table}` : verb;
}
