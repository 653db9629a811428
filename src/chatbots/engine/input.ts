import type { StoredMessage } from '../../domain/types.js';
import type { InputMedia, PendingInput } from '../types.js';

/** Message types that are not something a person said (reactions, edits, receipts of polls...): bots never see them. */
const NOT_SAID = new Set(['reactionMessage', 'protocolMessage', 'pollUpdateMessage', 'senderKeyDistributionMessage', 'messageContextInfo', 'editedMessage', 'keepInChatMessage', 'pinInChatMessage']);

const MEDIA: Record<string, InputMedia['type']> = { imageMessage: 'image', audioMessage: 'audio', videoMessage: 'video', documentMessage: 'document', documentWithCaptionMessage: 'document', stickerMessage: 'sticker', ptvMessage: 'video' };

type Part = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What a stored message says to a bot: its text (choices answered by their id, as upstream), and its media. */
export function inputOf(m: StoredMessage): PendingInput | undefined {
  const type = m.messageType;
  if (NOT_SAID.has(type)) return undefined;
  const message = m.message as Part;
  const part = (message[type] ?? {}) as Part;
  let text = '';
  let media: InputMedia | undefined;
  switch (type) {
    case 'conversation':
      text = str(message.conversation) ?? '';
      break;
    case 'extendedTextMessage':
      text = str(part.text) ?? '';
      break;
    case 'listResponseMessage':
      text = str((part.singleSelectReply as Part | undefined)?.selectedRowId) ?? str(part.title) ?? '';
      break;
    case 'buttonsResponseMessage':
      text = str(part.selectedButtonId) ?? str(part.selectedDisplayText) ?? '';
      break;
    case 'templateButtonReplyMessage':
      text = str(part.selectedId) ?? str(part.selectedDisplayText) ?? '';
      break;
    case 'interactiveResponseMessage': {
      const params = str((part.nativeFlowResponseMessage as Part | undefined)?.paramsJson);
      try {
        text = params ? (str((JSON.parse(params) as Part).id) ?? '') : '';
      } catch {
        text = '';
      }
      text ||= str((part.body as Part | undefined)?.text) ?? '';
      break;
    }
    case 'locationMessage':
      text = `${String(part.degreesLatitude)},${String(part.degreesLongitude)}`;
      break;
    default: {
      const kind = MEDIA[type];
      const inner = type === 'documentWithCaptionMessage' ? (((part.message as Part | undefined)?.documentMessage ?? {}) as Part) : part;
      if (kind) {
        text = str(inner.caption) ?? '';
        media = { type: kind, ...(str(inner.mimetype) ? { mimetype: str(inner.mimetype) } : {}), ...(str(message.mediaUrl) ? { url: str(message.mediaUrl) } : {}), ...(str(inner.fileName) ? { fileName: str(inner.fileName) } : {}), ...(text ? { caption: text } : {}) };
      }
    }
  }
  return { keyId: m.key.id, text, fromMe: m.key.fromMe, pushName: m.pushName ?? null, messageType: type, ...(media ? { media } : {}), at: Date.now() };
}

/** The inputs gathered by the debounce, as one: their texts joined by new lines (upstream's way), the last media kept. */
export function joined(inputs: PendingInput[]): PendingInput {
  const last = inputs[inputs.length - 1]!;
  const media = [...inputs].reverse().find((i) => i.media)?.media;
  return { ...last, text: inputs.map((i) => i.text).filter(Boolean).join('\n'), ...(media ? { media } : {}) };
}
