import { A, B, jidOf, PNG_BASE64, type World } from './world.js';
import { BOT_EXAMPLES } from './botExamples.js';

/** What a well-formed request sends and what its answer must look like at the top level (keys from the contract). */
export interface Example {
  body?: (w: World) => unknown;
  query?: (w: World) => string | Promise<string>;
  /** Values of the path's id parameters (`:typebotId` -> an id made by a fixture). */
  ids?: (w: World) => Promise<Record<string, string>>;
  /** Call it on the peer instance (e.g. joining the instance's group). */
  onPeer?: boolean;
  shape: 'object' | 'array' | 'nullable';
  /** Keys the object (or each array element) must have. */
  keys: string[];
}

const RECORD = ['key', 'message', 'messageType', 'messageTimestamp', 'instanceId', 'status', 'source'];
const send = (body: (w: World) => unknown): Example => ({ body, shape: 'object', keys: RECORD });
const obj = (keys: string[], body?: Example['body'], query?: Example['query']): Example => ({ shape: 'object', keys, ...(body ? { body } : {}), ...(query ? { query } : {}) });
const list = (keys: string[], body?: Example['body'], query?: Example['query']): Example => ({ shape: 'array', keys, ...(body ? { body } : {}), ...(query ? { query } : {}) });
const groupQuery = async (w: World) => `groupJid=${await w.group()}`;
const UPDATE = ['update'];

/** One well-formed example per route of the messaging surface, in an order where each one's state exists. */
export const EXAMPLES: Record<string, Example> = {
  // message
  'POST /message/sendText/:instanceName': send(() => ({ number: B, text: 'contract: text' })),
  'POST /message/sendMedia/:instanceName': send(() => ({ number: B, mediatype: 'image', media: PNG_BASE64, fileName: 'pixel.png', caption: 'contract: image' })),
  'POST /message/sendPtv/:instanceName': send((w) => ({ number: B, video: w.media.mp4 })),
  'POST /message/sendWhatsAppAudio/:instanceName': send((w) => ({ number: B, audio: w.media.mp3 })),
  'POST /message/sendStatus/:instanceName': send(() => ({ type: 'text', content: 'contract: status', backgroundColor: '#008000', font: 1, statusJidList: [jidOf(B)] })),
  'POST /message/sendSticker/:instanceName': send(() => ({ number: B, sticker: PNG_BASE64 })),
  'POST /message/sendLocation/:instanceName': send(() => ({ number: B, latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' })),
  'POST /message/sendContact/:instanceName': send(() => ({ number: B, contact: [{ fullName: 'Ana Contract', phoneNumber: '+55 11 98877-0001' }] })),
  'POST /message/sendReaction/:instanceName': send(async (w) => ({ key: await w.sentText(), reaction: '👍' })),
  'POST /message/sendPoll/:instanceName': send(() => ({ number: B, name: 'Lunch?', selectableCount: 1, values: ['pizza', 'sushi'] })),
  'POST /message/sendList/:instanceName': send(() => ({ number: B, title: 'Menu', description: 'Pick one', footerText: 'contract', buttonText: 'Open', sections: [{ title: 'Mains', rows: [{ title: 'Pizza', rowId: 'pizza' }] }] })),
  'POST /message/sendButtons/:instanceName': send(() => ({ number: B, title: 'Choose', description: 'Yes or no?', footer: 'contract', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }] })),
  'POST /message/sendTemplate/:instanceName': send(async (w) => ({ number: B, name: (await w.approvedTemplate()).name, language: 'en_US', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] })),
  // call
  'POST /call/offer/:instanceName': obj(['id', 'jid', 'isVideo', 'callDuration'], () => ({ number: B, isVideo: false, callDuration: 3 })),
  // chat
  'POST /chat/whatsappNumbers/:instanceName': list(['jid', 'exists', 'number'], () => ({ numbers: [B] })),
  'POST /chat/markMessageAsRead/:instanceName': obj(['message', 'read'], async (w) => ({ readMessages: [await w.receivedText()] })),
  'POST /chat/archiveChat/:instanceName': obj(['chatId', 'archived'], async (w) => ({ archive: true, lastMessage: { key: await w.receivedText() }, chat: jidOf(B) })),
  'POST /chat/markChatUnread/:instanceName': obj(['chatId', 'markedChatUnread'], async (w) => ({ lastMessage: { key: await w.receivedText() }, chat: jidOf(B) })),
  'DELETE /chat/deleteMessageForEveryone/:instanceName': obj(['key'], async (w) => {
    const sent = await w.call('POST', `/message/sendText/${w.instance}`, { number: B, text: 'contract: to delete' });
    return { ...sent.body.key };
  }),
  'POST /chat/fetchProfilePictureUrl/:instanceName': obj(['wuid', 'profilePictureUrl'], () => ({ number: B })),
  'POST /chat/getBase64FromMediaMessage/:instanceName': obj(['mediaType', 'fileName', 'caption', 'size', 'mimetype', 'base64', 'buffer'], async (w) => ({ message: { key: { id: (await w.sentImage()).key.id } } })),
  'POST /chat/updateMessage/:instanceName': obj(['key'], async (w) => {
    const sent = await w.call('POST', `/message/sendText/${w.instance}`, { number: B, text: 'contract: to edit' });
    return { number: B, key: sent.body.key, text: 'contract: edited' };
  }),
  'POST /chat/sendPresence/:instanceName': obj(['presence'], () => ({ number: B, presence: 'composing', delay: 10 })),
  'POST /chat/updateBlockStatus/:instanceName': obj(['block'], () => ({ number: '5511977770050', status: 'block' })),
  'POST /chat/findContacts/:instanceName': list([], () => ({ where: {} })),
  'POST /chat/findMessages/:instanceName': obj(['messages'], () => ({ where: { key: { remoteJid: jidOf(B) } }, page: 1, offset: 10 })),
  'POST /chat/findStatusMessage/:instanceName': list([], async (w) => ({ where: { remoteJid: jidOf(B), id: (await w.sentText()).id } })),
  'POST /chat/findChats/:instanceName': list(['remoteJid'], () => ({ where: {} })),
  'GET /chat/findChatByRemoteJid/:instanceName': { shape: 'nullable', keys: ['remoteJid'], query: () => `remoteJid=${jidOf(B)}` },
  'POST /chat/fetchBusinessProfile/:instanceName': obj(['isBusiness'], () => ({ number: B })),
  // email, description and website come only for business profiles
  'POST /chat/fetchProfile/:instanceName': obj(['wuid', 'name', 'numberExists', 'picture', 'status', 'isBusiness'], () => ({ number: B })),
  'POST /chat/updateProfileName/:instanceName': obj(UPDATE, () => ({ name: 'Contract Shop' })),
  'POST /chat/updateProfileStatus/:instanceName': obj(UPDATE, () => ({ status: 'Open 9-18' })),
  'POST /chat/updateProfilePicture/:instanceName': obj(UPDATE, () => ({ picture: PNG_BASE64 })),
  'DELETE /chat/removeProfilePicture/:instanceName': obj(UPDATE),
  'GET /chat/fetchPrivacySettings/:instanceName': obj(['readreceipts', 'profile', 'status', 'online', 'last', 'groupadd']),
  'POST /chat/updatePrivacySettings/:instanceName': obj(['update', 'data'], () => ({ readreceipts: 'all', profile: 'contacts', status: 'contacts', online: 'all', last: 'contacts', groupadd: 'contacts' })),
  // business
  'POST /business/getCatalog/:instanceName': obj(['wuid', 'numberExists', 'isBusiness', 'catalogLength', 'catalog'], () => ({ number: A, limit: 10 })),
  'POST /business/getCollections/:instanceName': obj(['wuid', 'name', 'numberExists', 'isBusiness', 'collectionsLength', 'collections'], () => ({ number: A, limit: 10 })),
  // group
  'POST /group/create/:instanceName': obj(['id', 'subject', 'participants'], () => ({ subject: 'Contract create', participants: [B], description: 'made by the contract walker' })),
  'POST /group/updateGroupSubject/:instanceName': obj(UPDATE, async (w) => ({ groupJid: await w.group(), subject: 'Contract group renamed' })),
  'POST /group/updateGroupPicture/:instanceName': obj(UPDATE, async (w) => ({ groupJid: await w.group(), image: PNG_BASE64 })),
  'POST /group/updateGroupDescription/:instanceName': obj(UPDATE, async (w) => ({ groupJid: await w.group(), description: 'contract description' })),
  'GET /group/findGroupInfos/:instanceName': obj(['id', 'subject', 'subjectOwner', 'subjectTime', 'pictureUrl', 'size', 'creation', 'owner', 'desc', 'descId', 'restrict', 'announce', 'participants', 'isCommunity', 'isCommunityAnnounce'], undefined, groupQuery),
  'GET /group/fetchAllGroups/:instanceName': list(['id', 'subject'], undefined, () => 'getParticipants=false'),
  'GET /group/participants/:instanceName': obj(['participants'], undefined, groupQuery),
  'GET /group/inviteCode/:instanceName': obj(['inviteUrl', 'inviteCode'], undefined, groupQuery),
  'GET /group/inviteInfo/:instanceName': obj(['id', 'subject'], undefined, async (w) => `inviteCode=${await w.inviteCode()}`),
  'GET /group/acceptInviteCode/:instanceName': { shape: 'object', keys: ['accepted', 'groupJid'], onPeer: true, query: async (w) => `inviteCode=${await w.openGroupInvite()}` },
  'POST /group/sendInvite/:instanceName': obj(['send', 'inviteUrl'], async (w) => ({ groupJid: await w.group(), description: 'join us', numbers: [B] })),
  'POST /group/revokeInviteCode/:instanceName': obj(['revoked', 'inviteCode'], undefined, groupQuery),
  'POST /group/updateParticipant/:instanceName': obj(['updateParticipants'], async (w) => ({ groupJid: await w.group(), action: 'promote', participants: [B] })),
  // upstream answers {updateSetting: <what WhatsApp answered>}, and WhatsApp answers nothing: {}
  'POST /group/updateSetting/:instanceName': obj([], async (w) => ({ groupJid: await w.group(), action: 'announcement' })),
  'POST /group/toggleEphemeral/:instanceName': obj(['success'], async (w) => ({ groupJid: await w.group(), expiration: 86400 })),
  'POST /chat/markMessageAsPlayed/:instanceName': obj(['message', 'played'], async (w) => ({ playedMessages: [await w.receivedText()] })),
  'POST /chat/getPollVote/:instanceName': obj(['poll'], async (w) => {
    const poll = await w.call('POST', `/message/sendPoll/${w.instance}`, { number: B, name: 'Contract poll', selectableCount: 1, values: ['yes', 'no'] });
    return { message: { key: { id: poll.body.key.id } }, remoteJid: jidOf(B) };
  }),
  'POST /group/updateMemberAddMode/:instanceName': obj(['update'], async (w) => ({ groupJid: await w.group(), mode: 'admin_add' })),
  'DELETE /group/leaveGroup/:instanceName': obj(['groupJid', 'leave'], undefined, async (w) => `groupJid=${await w.groupToLeave()}`),
  // label
  'GET /label/findLabels/:instanceName': list(['color', 'name', 'id', 'predefinedId']),
  'POST /label/handleLabel/:instanceName': obj(['numberJid', 'labelId', 'add'], async (w) => ({ number: B, labelId: await w.labelId(), action: 'add' })),
  // settings
  'POST /settings/set/:instanceName': obj(['settings'], () => ({ rejectCall: false, msgCall: '', groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false })),
  'GET /settings/find/:instanceName': obj(['rejectCall', 'msgCall', 'groupsIgnore', 'alwaysOnline', 'readMessages', 'readStatus', 'syncFullHistory', 'wavoipToken']),
  // proxy: the walker's server probes through a local HTTP proxy (see routes.test.ts)
  'POST /proxy/set/:instanceName': obj(['proxy'], (w) => ({ enabled: true, host: '127.0.0.1', port: String(w.proxyPort), protocol: 'http' })),
  'GET /proxy/find/:instanceName': { shape: 'nullable', keys: ['id', 'enabled', 'host', 'port', 'protocol', 'username', 'password', 'createdAt', 'updatedAt', 'instanceId'] },
  // template
  'POST /template/create/:instanceName': obj(['id', 'templateId', 'name', 'template', 'webhookUrl', 'createdAt', 'updatedAt', 'instanceId'], () => ({ name: 'contract_created', category: 'MARKETING', language: 'en_US', components: [{ type: 'BODY', text: 'News for {{1}}', example: { body_text: [['Ana']] } }] })),
  'GET /template/find/:instanceName': list(['id', 'name', 'language', 'status', 'category', 'components']),
  'POST /template/edit/:instanceName': obj(['success'], async (w) => ({ templateId: (await w.approvedTemplate()).id, components: [{ type: 'BODY', text: 'Hello again {{1}}', example: { body_text: [['Ana']] } }] })),
  'DELETE /template/delete/:instanceName': obj(['success'], async (w) => ({ name: await w.disposableTemplate() })),
  // s3
  'POST /s3/getMedia/:instanceName': list(['id', 'fileName', 'type', 'mimetype'], async (w) => (await w.sentImage(), {})),
  'POST /s3/getMediaUrl/:instanceName': obj(['mediaUrl'], async (w) => ({ id: await w.mediaId() })),
  // chatwoot (set without Chatwoot reachable: enabled false needs no network; the webhook then has nothing to relay)
  'POST /chatwoot/set/:instanceName': obj(['enabled', 'accountId', 'token', 'url', 'webhook_url'], () => ({ enabled: false, accountId: '', token: '', url: '', signMsg: false, reopenConversation: false, conversationPending: false })),
  'GET /chatwoot/find/:instanceName': obj(['enabled', 'url', 'accountId', 'token', 'signMsg', 'nameInbox', 'webhook_url']),
  'POST /chatwoot/webhook/:instanceName': obj(['message'], () => ({ event: 'message_created', id: 1, message_type: 'outgoing', content: 'hi', private: false, conversation: { id: 1, meta: { sender: { phone_number: `+${B}` } } } })),
  // chatbots (test/contract/botExamples.ts)
  ...BOT_EXAMPLES,
};
