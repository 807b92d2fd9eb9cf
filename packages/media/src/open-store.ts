import { createFsMediaStore } from './fs-store.js';
import { createS3MediaStore, type S3MediaStoreOptions } from './s3-store.js';
import type { MediaStore } from './store-types.js';

/** The `store` part of the media config (MEDIA_STORE and its variables), as @wagw/config reads it. */
export type MediaStoreSettings =
  | { kind: 'fs'; dir: string }
  | ({ kind: 's3' } & Pick<
      S3MediaStoreOptions,
      'bucket' | 'region' | 'endpoint' | 'forcePathStyle' | 'credentials'
    >);

/** The store the settings name; every process opens it the same way, so all see the same objects. */
export function openMediaStore(settings: MediaStoreSettings): MediaStore {
  if (settings.kind === 'fs') return createFsMediaStore({ root: settings.dir });
  const { kind: _kind, ...s3 } = settings;
  return createS3MediaStore(s3);
}
