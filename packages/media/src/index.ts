export {
  type MediaErrorCode,
  MediaNotFoundError,
  MediaRangeError,
  MediaStoreError,
  MediaTooLargeError,
} from './errors.js';
export { createFsMediaStore, type FsMediaStoreOptions } from './fs-store.js';
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
export { sniffMimetype } from './sniff.js';
export type {
  ByteRange,
  GetResult,
  ListedMedia,
  MediaHealth,
  MediaInfo,
  MediaSource,
  MediaStore,
  PutOptions,
} from './store-types.js';
