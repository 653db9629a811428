import sharp from 'sharp';

export interface ImageInfo {
  width?: number;
  height?: number;
  /** A small JPEG preview, as WhatsApp shows before the download. */
  jpegThumbnail?: Buffer;
}

/** Thumbnails are 32 px wide, as Baileys makes them. */
const THUMBNAIL_WIDTH = 32;

export async function jpegThumbnailOf(input: Buffer): Promise<Buffer> {
  return sharp(input, { failOn: 'none' }).rotate().resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: false }).jpeg({ quality: 50 }).toBuffer();
}

/** Dimensions (after EXIF rotation) and a JPEG thumbnail; undefined fields when sharp cannot read the image. */
export async function imageInfo(data: Buffer): Promise<ImageInfo> {
  try {
    const meta = await sharp(data, { failOn: 'none' }).metadata();
    const rotated = (meta.orientation ?? 1) >= 5;
    const width = rotated ? meta.height : meta.width;
    const height = rotated ? meta.width : (meta.pageHeight ?? meta.height);
    return { width, height, jpegThumbnail: await jpegThumbnailOf(data) };
  } catch {
    return {};
  }
}
