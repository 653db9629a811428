import sharp from 'sharp';

/** Stickers are 512 px squares in WebP; animated GIF/WebP stay animated. */
export async function toStickerWebp(data: Buffer): Promise<{ data: Buffer; width: number; height: number; animated: boolean }> {
  const meta = await sharp(data, { failOn: 'none' }).metadata();
  const animated = (meta.pages ?? 1) > 1;
  const out = await sharp(data, { failOn: 'none', animated })
    .resize({ width: 512, height: 512, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();
  return { data: out, width: 512, height: 512, animated };
}
