import type { Bot } from '../types.js';

/** Lower case without accents: "Olá" matches "ola" (advanced triggers). */
const plain = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/**
 * An advanced trigger: filters separated by spaces, each `operator:value`. Filters with the same operator are
 * alternatives, different operators must all hold; a value may list several (comma-separated) that must all hold.
 * Operators: contains, notContains, startsWith, endsWith, exact; accents and case are ignored.
 */
export function advancedMatch(text: string, query: string): boolean {
  const byOperator = new Map<string, string[]>();
  for (const filter of query.split(' ').filter(Boolean)) {
    const at = filter.indexOf(':');
    const op = (at < 0 ? filter : filter.slice(0, at)).toLowerCase();
    byOperator.set(op, [...(byOperator.get(op) ?? []), at < 0 ? '' : filter.slice(at + 1)]);
  }
  const said = plain(text);
  const holds = (op: string, v: string) => {
    const value = plain(v);
    switch (op) {
      case 'contains': return said.includes(value);
      case 'notcontains': return !said.includes(value);
      case 'startswith': return said.startsWith(value);
      case 'endswith': return said.endsWith(value);
      case 'exact': return said === value;
      default: return false;
    }
  };
  return byOperator.size > 0 && [...byOperator].every(([op, values]) => values.some((v) => v.split(',').every((part) => holds(op, part))));
}

function keywordMatch(bot: Bot, text: string): boolean {
  const value = bot.triggerValue ?? '';
  if (!value) return false;
  switch (bot.triggerOperator) {
    case 'equals': return text === value;
    case 'contains': return text.includes(value);
    case 'startsWith': return text.startsWith(value);
    case 'endsWith': return text.endsWith(value);
    case 'regex':
      try {
        return new RegExp(value).test(text);
      } catch {
        return false;
      }
    default: return false;
  }
}

const KEYWORD_ORDER = ['equals', 'regex', 'startsWith', 'endsWith', 'contains'] as const;

/**
 * The bot a message that opens no session goes to, among one kind's enabled bots: a bot that takes every message
 * (`all`, or `none`: no trigger needed) first, then advanced triggers, then keywords by operator
 * (equals, regex, startsWith, endsWith, contains), each in creation order.
 */
export function botForMessage(bots: Bot[], text: string): Bot | undefined {
  // Bots made by /typebot/start only run in the sessions that route opens.
  const enabled = bots.filter((b) => b.enabled && !b.config.startOnly);
  const any = enabled.find((b) => b.triggerType === 'all' || b.triggerType === 'none');
  if (any) return any;
  const advanced = enabled.find((b) => b.triggerType === 'advanced' && advancedMatch(text, b.triggerValue ?? ''));
  if (advanced) return advanced;
  for (const op of KEYWORD_ORDER) {
    const hit = enabled.find((b) => b.triggerType === 'keyword' && b.triggerOperator === op && keywordMatch(b, text));
    if (hit) return hit;
  }
  return undefined;
}

/** `@g.us` ignores every group, `@s.whatsapp.net` every contact; otherwise exact JIDs. */
export function isIgnored(ignoreJids: readonly string[] | undefined, remoteJid: string): boolean {
  if (!ignoreJids?.length) return false;
  if (ignoreJids.includes('@g.us') && remoteJid.endsWith('@g.us')) return true;
  if (ignoreJids.includes('@s.whatsapp.net') && remoteJid.endsWith('@s.whatsapp.net')) return true;
  return ignoreJids.includes(remoteJid);
}
