/** Per kind: an example of its own body fields (create/update), of its answer row, and of its settings extras. */
export const BOT_EXAMPLES: Record<string, { bot?: Record<string, unknown>; row?: Record<string, unknown>; settings?: Record<string, unknown> }> = {
  evolutionBot: { bot: { apiUrl: 'https://bots.example.com/support', apiKey: 'sk-support-0123456789' }, row: { apiUrl: 'https://bots.example.com/support', apiKey: 'sk-****6789' } },
};
