//! Uploads (#5, #15, #27, #38–42): bytes in the storage bucket under the uploader's prefix
//! (`keys::objects`), pictures recorded on the user or group item. No table item describes an
//! upload: the object keys are the record (a chunk is `…/<fileHash>/<index>`, a merged file
//! `…/<fileHash>/<name>`), so every step is a single idempotent S3 call and safe to retry.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use md5::{Digest, Md5};

use super::WeifStore;
use crate::keys::{self as k, attr, objects};
use crate::model::Image;
use shared::AppState;
use shared::error::AppError;
use shared::store::s;
use shared::store::write::{Change, Written};

/// S3 needs every part of a multipart upload but the last to be at least 5 MiB; chunks are at
/// most 4 MiB, so a merge gathers them into parts of this size.
const PART_BYTES: usize = 8 * 1024 * 1024;

/// The weifChat objects of the storage bucket.
pub struct Uploads<'a> {
    s3: &'a aws_sdk_s3::Client,
    bucket: &'a str,
}

/// An object of a listing.
#[derive(Debug, Clone)]
pub struct Listed {
    pub key: String,
    pub size: u64,
}

/// How a merge ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The file is at this key (now, or already from an earlier merge).
    Done(String),
    /// A chunk is missing, or the joined bytes don't have the announced hash.
    Failed,
}

impl<'a> Uploads<'a> {
    pub fn of(state: &'a AppState) -> Result<Self, AppError> {
        match (&state.s3, &state.config.storage_bucket) {
            (Some(s3), Some(bucket)) => Ok(Self { s3, bucket }),
            _ => Err(AppError::internal("uploads need STORAGE_BUCKET and an S3 client")),
        }
    }

    /// Stores an image of `user_id`; its key. Cost: 1 PutObject.
    #[tracing::instrument(skip_all, fields(user = user_id, size = image.bytes.len()))]
    pub async fn put_image(&self, user_id: &str, image: &Image) -> Result<String, AppError> {
        let key = objects::image(user_id, &shared::ids::new_id(), image.ext);
        self.s3
            .put_object()
            .bucket(self.bucket)
            .key(&key)
            .content_type(image.mime)
            .body(ByteStream::from(image.bytes.clone()))
            .send()
            .await?;
        Ok(key)
    }

    /// Stores chunk `index` of `user_id`'s file `file_hash` (a retry overwrites it with the same
    /// bytes). Cost: 1 PutObject.
    #[tracing::instrument(skip(self, bytes), fields(size = bytes.len()))]
    pub async fn put_chunk(&self, user_id: &str, file_hash: &str, index: u32, bytes: Vec<u8>) -> Result<(), AppError> {
        self.s3
            .put_object()
            .bucket(self.bucket)
            .key(objects::chunk(user_id, file_hash, index))
            .body(ByteStream::from(bytes))
            .send()
            .await?;
        Ok(())
    }

    /// The objects under `prefix`, in key order. Cost: 1 ListObjectsV2 per 1000 objects.
    async fn list(&self, prefix: &str) -> Result<Vec<Listed>, AppError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .s3
                .list_objects_v2()
                .bucket(self.bucket)
                .prefix(prefix)
                .set_continuation_token(token)
                .send()
                .await?;
            for o in page.contents() {
                out.push(Listed {
                    key: o.key().unwrap_or_default().to_owned(),
                    size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or_default(),
                });
            }
            match page.next_continuation_token() {
                Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_owned()),
                _ => return Ok(out),
            }
        }
    }

    /// The merged file `file_hash` of `user_id`, if there is one. Cost: 1 ListObjectsV2.
    pub async fn merged(&self, user_id: &str, file_hash: &str) -> Result<Option<String>, AppError> {
        Ok(self
            .list(&objects::merged(user_id, file_hash))
            .await?
            .into_iter()
            .next()
            .map(|o| o.key))
    }

    /// The chunks of `file_hash` that `user_id` uploaded, by index.
    pub async fn chunks(&self, user_id: &str, file_hash: &str) -> Result<Vec<(u32, Listed)>, AppError> {
        let prefix = objects::chunks(user_id, file_hash);
        let mut chunks: Vec<(u32, Listed)> = self
            .list(&prefix)
            .await?
            .into_iter()
            .filter_map(|o| Some((o.key.strip_prefix(&prefix)?.parse().ok()?, o)))
            .collect();
        chunks.sort_by_key(|(i, _)| *i);
        Ok(chunks)
    }

    /// Joins `user_id`'s chunks of `file_hash` in index order into the file `file_name`,
    /// streaming: chunks are read one at a time into parts of `PART_BYTES` (8 MiB) of an S3 multipart
    /// upload while their MD5 is computed, so memory stays near one part whatever the file's
    /// size. The upload completes only if the indexes run 0, 1, … without a gap and the MD5 is
    /// `file_hash`; then the chunks are deleted. A retry after success finds the merged file and
    /// answers it. Cost: 2 ListObjectsV2, a GetObject per chunk, a part per 8 MiB, a
    /// DeleteObject per chunk.
    #[tracing::instrument(skip(self))]
    pub async fn merge(&self, user_id: &str, file_hash: &str, file_name: &str) -> Result<Merged, AppError> {
        let chunks = self.chunks(user_id, file_hash).await?;
        if let Some(key) = self.merged(user_id, file_hash).await? {
            self.delete_chunks(&chunks).await?;
            return Ok(Merged::Done(key));
        }
        let contiguous = chunks.iter().enumerate().all(|(i, (index, _))| *index as usize == i);
        if chunks.is_empty() || !contiguous {
            return Ok(Merged::Failed);
        }
        let key = objects::merged_file(user_id, file_hash, file_name);
        let upload = self
            .s3
            .create_multipart_upload()
            .bucket(self.bucket)
            .key(&key)
            .content_disposition(format!("attachment; filename=\"{file_name}\""))
            .send()
            .await?;
        let upload_id = upload
            .upload_id()
            .ok_or_else(|| AppError::internal("multipart upload without an ID"))?
            .to_owned();
        let joined = self.join_parts(&chunks, &key, &upload_id).await;
        let parts = match joined {
            Ok(Some((parts, digest))) if digest == file_hash => Some(parts),
            Ok(_) => None,
            Err(e) => {
                self.abort(&key, &upload_id).await;
                return Err(e);
            }
        };
        let Some(parts) = parts else {
            self.abort(&key, &upload_id).await;
            // Bytes that don't hash to fileHash can't be resumed: the client uploads again.
            self.delete_chunks(&chunks).await?;
            return Ok(Merged::Failed);
        };
        self.s3
            .complete_multipart_upload()
            .bucket(self.bucket)
            .key(&key)
            .upload_id(&upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await?;
        self.delete_chunks(&chunks).await?;
        Ok(Merged::Done(key))
    }

    /// Uploads the chunks as parts; the parts and the hex MD5 of everything read.
    async fn join_parts(
        &self,
        chunks: &[(u32, Listed)],
        key: &str,
        upload_id: &str,
    ) -> Result<Option<(Vec<CompletedPart>, String)>, AppError> {
        let mut md5 = Md5::new();
        let mut parts = Vec::new();
        let mut buffer: Vec<u8> = Vec::with_capacity(PART_BYTES + crate::wire::MAX_FILE_BYTES);
        for (i, (_, chunk)) in chunks.iter().enumerate() {
            let got = self.s3.get_object().bucket(self.bucket).key(&chunk.key).send().await;
            let bytes = match got {
                Ok(out) => out.body.collect().await.map_err(AppError::internal)?.into_bytes(),
                Err(e) if e.as_service_error().is_some_and(|se| se.is_no_such_key()) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            md5.update(&bytes);
            buffer.extend_from_slice(&bytes);
            let last = i + 1 == chunks.len();
            if buffer.len() >= PART_BYTES || last {
                let number = i32::try_from(parts.len() + 1).map_err(AppError::internal)?;
                let part = self
                    .s3
                    .upload_part()
                    .bucket(self.bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(number)
                    .body(ByteStream::from(std::mem::take(&mut buffer)))
                    .send()
                    .await?;
                parts.push(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(part.e_tag().map(str::to_owned))
                        .build(),
                );
            }
        }
        let digest: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Some((parts, digest)))
    }

    async fn abort(&self, key: &str, upload_id: &str) {
        let aborted = self
            .s3
            .abort_multipart_upload()
            .bucket(self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await;
        if let Err(e) = aborted {
            tracing::warn!(error = %AppError::internal(e), key, "could not abort a multipart upload");
        }
    }

    async fn delete_chunks(&self, chunks: &[(u32, Listed)]) -> Result<(), AppError> {
        for (_, chunk) in chunks {
            self.s3
                .delete_object()
                .bucket(self.bucket)
                .key(&chunk.key)
                .send()
                .await?;
        }
        Ok(())
    }

    /// A short-lived download URL of `key` (presigning is local: no S3 call).
    pub async fn download_url(&self, key: &str) -> Result<String, AppError> {
        let presigned = self
            .s3
            .get_object()
            .bucket(self.bucket)
            .key(key)
            .presigned(
                aws_sdk_s3::presigning::PresigningConfig::expires_in(shared::storage::DOWNLOAD_EXPIRES)
                    .map_err(AppError::internal)?,
            )
            .await?;
        Ok(presigned.uri().to_owned())
    }
}

impl WeifStore {
    /// Sets the user's picture (a new profile version: `copy_profile` carries it to the
    /// friends' copies). Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn set_user_picture(&self, user_id: &str, url: &str) -> Result<(), AppError> {
        self.set_profile(user_id, &[(attr::IMG_URL, s(url))], &[]).await?;
        Ok(())
    }

    /// The owner sets a group's picture (403 `只有群主可以修改群信息` for anyone else).
    /// Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn set_group_picture(&self, caller: &str, group_id: &str, url: &str) -> Result<(), AppError> {
        let change = Change::new(k::group(group_id))
            .when_exists()
            .when_absent(attr::DELETED_AT)
            .when_eq(attr::USER_ID, s(caller))
            .set(attr::IMG_URL, s(url))
            .add(attr::GROUP_VERSION, 1);
        match change.update(&self.store).await? {
            Written::Applied(_) => Ok(()),
            Written::Refused(Some(old)) if !old.contains_key(attr::DELETED_AT) => {
                Err(AppError::forbidden("只有群主可以修改群信息"))
            }
            Written::Refused(_) => Err(AppError::not_found("该群不存在")),
        }
    }
}
