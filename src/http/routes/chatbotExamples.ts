/** Per kind: an example of its own body fields (create/update), of its answer row, and of its settings extras. */
export const BOT_EXAMPLES: Record<string, { bot?: Record<string, unknown>; row?: Record<string, unknown>; settings?: Record<string, unknown> }> = {
  typebot: { bot: { url: 'https://typebot.example.com', typebot: 'lead-capture-x1y2z3' } },
  openai: { bot: { openaiCredsId: 'clyjb1w2x0a5uqpy7a9b8c7d6', botType: 'chatCompletion', model: 'gpt-4o-mini', systemMessages: ['You are the shop assistant. Answer briefly.'], assistantMessages: [], userMessages: [], maxTokens: 300 }, settings: { openaiCredsId: 'clyjb1w2x0a5uqpy7a9b8c7d6', speechToText: true } },
  dify: { bot: { botType: 'chatBot', apiUrl: 'https://api.dify.ai/v1', apiKey: 'app-0123456789abcdef' }, row: { botType: 'chatBot', apiUrl: 'https://api.dify.ai/v1', apiKey: 'app****cdef' } },
  flowise: { bot: { apiUrl: 'https://flowise.example.com/api/v1/prediction/1f2e3d4c', apiKey: 'fl-0123456789abcdef' }, row: { apiUrl: 'https://flowise.example.com/api/v1/prediction/1f2e3d4c', apiKey: 'fl-****cdef' } },
  n8n: { bot: { webhookUrl: 'https://n8n.example.com/webhook/support', basicAuthUser: 'gateway', basicAuthPassword: 'n8n-pass-0123' }, row: { webhookUrl: 'https://n8n.example.com/webhook/support', basicAuthUser: 'gateway', basicAuthPass: 'n8n****0123' } },
  evoai: { bot: { agentUrl: 'https://evoai.example.com/api/v1/a2a/agent-42', apiKey: 'evo-0123456789abcdef' }, row: { agentUrl: 'https://evoai.example.com/api/v1/a2a/agent-42', apiKey: 'evo****cdef' } },
  evolutionBot: { bot: { apiUrl: 'https://bots.example.com/support', apiKey: 'sk-support-0123456789' }, row: { apiUrl: 'https://bots.example.com/support', apiKey: 'sk-****6789' } },
};
