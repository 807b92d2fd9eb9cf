import { essence } from '@wagw/media';

/** File name extensions of the document types people send most, by mimetype essence. */
const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/json': 'json',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/x-7z-compressed': '7z',
  'application/gzip': 'gz',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
};

/**
 * The name a document is shown and saved under when the client gave none: WhatsApp shows the name
 * and recipients' phones pick the app to open it by its extension, so `document.pdf` rather than
 * Baileys' bare `file`.
 */
export function defaultDocumentName(mimetype: string): string {
  const extension = EXTENSIONS[essence(mimetype)];
  return extension ? `document.${extension}` : 'document';
}
