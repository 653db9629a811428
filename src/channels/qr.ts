import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';

/** A WhatsApp Web style QR payload: "2@<ref>,<noise key>,<identity key>,<adv secret>". */
export function newQrCodeString(): string {
  const part = (n: number) => randomBytes(n).toString('base64');
  return `2@${part(36)},${part(32)},${part(32)},${part(32)}`;
}

export function renderQrDataUrl(code: string, color: string): Promise<string> {
  return QRCode.toDataURL(code, { color: { dark: color, light: '#ffffff' }, margin: 2, width: 264 });
}

/** An 8-character pairing code, as WhatsApp shows for "link with phone number". */
export function newPairingCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTVWXYZ123456789';
  let code = '';
  for (const b of randomBytes(8)) code += alphabet[b % alphabet.length];
  return code;
}
