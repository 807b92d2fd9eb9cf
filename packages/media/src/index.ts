export {
  type MediaErrorCode,
  MediaNotFoundError,
  MediaRangeError,
  MediaStoreError,
  MediaTooLargeError,
} from './errors.js';
export { ffmpegAvailable } from './ffmpeg.js';
export { createFsMediaStore, type FsMediaStoreOptions } from './fs-store.js';
export {
  canonicalMimetype,
  checkMediaKind,
  essence,
  isVoiceReady,
  MEDIA_MESSAGE_TYPES,
  type MediaKindCheck,
  type MediaMessageType,
  VOICE_MIMETYPE,
} from './kind-rules.js';
export { type MediaView, mediaView } from './media-view.js';
export { type MediaStoreSettings, openMediaStore } from './open-store.js';
export { createS3MediaStore, type S3MediaStoreOptions } from './s3-store.js';
export {
  type MediaLinkSettings,
  type MediaSignature,
  type SignatureCheck,
  signedMediaLink,
  signMediaUrl,
  verifyMediaSignature,
} from './signed-url.js';
export { SNIFF_BYTES, sniffMimetype } from './sniff.js';
export type {
  ByteRange,
  GetResult,
  ListedMedia,
  LocalMedia,
  MediaHealth,
  MediaInfo,
  MediaSource,
  MediaStore,
  PutOptions,
} from './store-types.js';
export { type AddressGuard, fetchToStore, MediaFetchError } from './url-fetch.js';
export { convertToVoiceNote, VoiceConversionError } from './voice-note.js';
