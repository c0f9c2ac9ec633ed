//! Uploaded files ("storage nodes", as ThinkSNS Plus calls them), kept in S3 and described in
//! the table. Any surface can use it; the info module is the first.
//!
//! 1. A client asks for an upload ([`Storage::issue`]): it gets a node (`public:2026/01/02/<uuid>.png`)
//!    and a presigned S3 `PUT` URL whose signature covers the declared type, length and MD5, so
//!    S3 refuses any other file. The node's item records what was declared and by whom.
//! 2. The client uploads straight to S3; no function handles the bytes.
//! 3. When a node is first used ([`Storage::describe`]), the object is checked: for an image, the
//!    first [`PROBE_BYTES`] are read and its width and height parsed from the header
//!    ([`image::dimensions`]); for a video, its size is read. The result is recorded on the node's
//!    item, so later uses cost one batched read.
//! 4. Downloads redirect to a short-lived presigned `GET` ([`Storage::download_url`]).

pub mod image;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::keys::{self, Key, storage as k};
use crate::store::write::Change;
use crate::store::{Store, n};

/// The file types the storage API takes, with the extension a node gets.
pub const IMAGE_TYPES: [(&str, &str); 4] = [
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
];
pub const VIDEO_TYPES: [(&str, &str); 3] = [("video/mp4", "mp4"), ("video/quicktime", "mov"), ("video/webm", "webm")];

/// The largest file an upload may declare.
pub const MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;
/// How long a presigned upload URL is valid.
pub const UPLOAD_EXPIRES: Duration = Duration::from_secs(15 * 60);
/// How long a presigned download URL is valid.
pub const DOWNLOAD_EXPIRES: Duration = Duration::from_secs(10 * 60);
/// How much of an image is read to find its size: headers come first, and JPEG's segments
/// before the frame header are each at most 64 KiB.
pub const PROBE_BYTES: u64 = 256 * 1024;
/// The only channel (ThinkSNS's `storage.channel`): files anyone with the node may read.
pub const CHANNEL: &str = "public";
/// How many S3 checks run at once when a request first uses many nodes.
const PARALLEL_CHECKS: usize = 16;

/// What kind of file a node holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Image,
    Video,
}

/// The extension and kind of an accepted MIME type.
pub fn accepted_type(mime: &str) -> Option<(&'static str, &'static str, Kind)> {
    IMAGE_TYPES
        .iter()
        .map(|(m, e)| (*m, *e, Kind::Image))
        .chain(VIDEO_TYPES.iter().map(|(m, e)| (*m, *e, Kind::Video)))
        .find(|(m, _, _)| *m == mime)
}

/// Whether `s` has the shape of a node this API issues (so it is safe inside keys and S3 keys).
pub fn is_node(s: &str) -> bool {
    let Some(path) = s.strip_prefix("public:") else {
        return false;
    };
    s.len() <= 128
        && !path.is_empty()
        && !path.contains("..")
        && !path.starts_with('/')
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
}

/// The S3 key of a node: `storage/public/2026/01/02/<uuid>.png`.
fn object_key(node: &str) -> String {
    format!("storage/{}", node.replacen(':', "/", 1))
}

/// A validated upload request.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub filename: String,
    pub mime: &'static str,
    pub size: u64,
    /// The file's MD5, as 16 bytes.
    pub md5: [u8; 16],
    /// Who asks: `<surface>:<user ID>`.
    pub owner: String,
}

/// An upload the client may now make.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    pub node: String,
    pub method: &'static str,
    pub url: String,
    /// Headers the upload must carry exactly (they are part of the signature).
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub expires_in: u64,
}

/// A node as other records embed it once it is known to be uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub node: String,
    pub kind: Kind,
    pub mime: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Why a node can't be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// No such node was issued.
    Unknown,
    /// Issued, but nothing was uploaded (yet).
    NotUploaded,
    /// An image node whose file is not an image of its declared kind.
    NotAnImage,
}

#[derive(Debug, Serialize, Deserialize)]
struct NodeItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    node: String,
    kind: Kind,
    mime: String,
    filename: String,
    /// The size the upload declared (and its signature enforces).
    size: u64,
    md5: String,
    owner: String,
    created_at: i64,
    /// Set once the object was found in S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uploaded_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
}

impl NodeItem {
    fn info(&self) -> Option<FileInfo> {
        Some(FileInfo {
            node: self.node.clone(),
            kind: self.kind,
            mime: self.mime.clone(),
            size: self.uploaded_size?,
            width: self.width,
            height: self.height,
        })
    }
}

pub struct Storage<'a> {
    store: &'a Store,
    s3: &'a aws_sdk_s3::Client,
    bucket: &'a str,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The object key the warm-up asks for: never written, so S3 answers 404 (or 403 to a role
/// that may not read it); either answer means the connection is open.
const WARM_UP_KEY: &str = "warm-up/none";

impl<'a> Storage<'a> {
    pub fn new(store: &'a Store, s3: &'a aws_sdk_s3::Client, bucket: &'a str) -> Self {
        Self { store, s3, bucket }
    }

    /// Opens the S3 connection (TLS included) during a container's init, as
    /// [`Store::warm_up`] opens the store's, so a function's first upload or download doesn't
    /// pay it: a HeadObject of a key that never exists. Any answer from S3 counts; only not
    /// reaching it is an error. Cost: 1 HeadObject.
    pub async fn warm_up(&self) -> Result<(), AppError> {
        match self.s3.head_object().bucket(self.bucket).key(WARM_UP_KEY).send().await {
            Ok(_) | Err(aws_sdk_s3::error::SdkError::ServiceError(_)) => Ok(()),
            Err(err) => Err(AppError::internal(format!("S3 not reached: {err}"))),
        }
    }

    /// Issues a node for `req` and a presigned upload for it. Cost: 1 PutItem (no S3 call:
    /// presigning is local).
    #[tracing::instrument(skip_all, fields(owner = %req.owner, mime = req.mime, size = req.size))]
    pub async fn issue(&self, req: &UploadRequest) -> Result<Upload, AppError> {
        use base64::Engine;
        let (_, ext, kind) =
            accepted_type(req.mime).ok_or_else(|| AppError::internal("issue: unvalidated MIME type"))?;
        let now = crate::clock::now_ms();
        let (y, m, d, ..) = crate::clock::civil(now);
        let node = format!("{CHANNEL}:{y:04}/{m:02}/{d:02}/{}.{ext}", uuid::Uuid::new_v4());
        let key = k::node(&node);
        let item = NodeItem {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::NODE.into(),
            node: node.clone(),
            kind,
            mime: req.mime.into(),
            filename: req.filename.clone(),
            size: req.size,
            md5: hex(&req.md5),
            owner: req.owner.clone(),
            created_at: now,
            uploaded_size: None,
            width: None,
            height: None,
        };
        let written = Change::new(k::node(&node))
            .when_absent(keys::PK)
            .put(self.store, serde_dynamo::to_item(item)?)
            .await?;
        if !written.applied() {
            // A new UUIDv4 can't collide; if it did, that is a fault.
            return Err(AppError::internal("storage node taken"));
        }
        let size = i64::try_from(req.size).map_err(AppError::internal)?;
        let presigned = self
            .s3
            .put_object()
            .bucket(self.bucket)
            .key(object_key(&node))
            .content_type(req.mime)
            .content_length(size)
            .content_md5(base64::engine::general_purpose::STANDARD.encode(req.md5))
            .presigned(PresigningConfig::expires_in(UPLOAD_EXPIRES).map_err(AppError::internal)?)
            .await?;
        let headers = presigned
            .headers()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
            .map(|(name, value)| (name.to_owned(), serde_json::Value::String(value.to_owned())))
            .collect();
        Ok(Upload {
            node,
            method: "PUT",
            url: presigned.uri().to_owned(),
            headers,
            expires_in: UPLOAD_EXPIRES.as_secs(),
        })
    }

    /// A short-lived download URL for `node`, or `None` for a node never issued.
    /// Cost: 1 GetItem (presigning is local).
    #[tracing::instrument(skip(self))]
    pub async fn download_url(&self, node: &str) -> Result<Option<String>, AppError> {
        if !is_node(node) {
            return Ok(None);
        }
        if self
            .store
            .get_attrs(&k::node(node), &[keys::PK], false)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let presigned = self
            .s3
            .get_object()
            .bucket(self.bucket)
            .key(object_key(node))
            .presigned(PresigningConfig::expires_in(DOWNLOAD_EXPIRES).map_err(AppError::internal)?)
            .await?;
        Ok(Some(presigned.uri().to_owned()))
    }

    /// What each of `nodes` holds, or why it can't be used. Nodes checked before cost nothing
    /// more than the batched read; a node used for the first time costs one S3 read (a ranged
    /// GET of an image's first bytes, a HEAD of a video) and one UpdateItem recording the result.
    /// Cost: 1 BatchGetItem per 100 nodes (+ the first-use checks, [`PARALLEL_CHECKS`] at a time).
    #[tracing::instrument(skip_all, fields(nodes = nodes.len()))]
    pub async fn describe(&self, nodes: &[String]) -> Result<HashMap<String, Result<FileInfo, Unusable>>, AppError> {
        let mut out = HashMap::new();
        let valid: Vec<Key> = nodes.iter().filter(|n| is_node(n)).map(|n| k::node(n)).collect();
        for n in nodes.iter().filter(|n| !is_node(n)) {
            out.insert(n.clone(), Err(Unusable::Unknown));
        }
        let mut unchecked = Vec::new();
        for item in self.store.batch_get(&valid, false).await? {
            let item: NodeItem = serde_dynamo::from_item(item)?;
            match item.info() {
                Some(info) => {
                    out.insert(item.node.clone(), Ok(info));
                }
                None => unchecked.push(item),
            }
        }
        for chunk in unchecked.chunks(PARALLEL_CHECKS) {
            let mut checks = tokio::task::JoinSet::new();
            for item in chunk {
                let (s3, bucket, store) = (self.s3.clone(), self.bucket.to_owned(), self.store.clone());
                let node = item.node.clone();
                let kind = item.kind;
                checks.spawn(async move {
                    let checked = check(&s3, &bucket, &node, kind).await;
                    let recorded = match &checked {
                        Ok(Ok(info)) => record(&store, info).await,
                        _ => Ok(()),
                    };
                    (node, recorded.and(checked))
                });
            }
            while let Some(joined) = checks.join_next().await {
                let (node, checked) = joined.map_err(AppError::internal)?;
                out.insert(node, checked?);
            }
        }
        for n in nodes {
            out.entry(n.clone()).or_insert(Err(Unusable::Unknown));
        }
        Ok(out)
    }
}

/// Looks at a node's object in S3.
async fn check(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    node: &str,
    kind: Kind,
) -> Result<Result<FileInfo, Unusable>, AppError> {
    let key = object_key(node);
    match kind {
        Kind::Image => {
            let got = s3
                .get_object()
                .bucket(bucket)
                .key(&key)
                .range(format!("bytes=0-{}", PROBE_BYTES - 1))
                .send()
                .await;
            let out = match got {
                Ok(out) => out,
                Err(e) if e.as_service_error().is_some_and(|se| se.is_no_such_key()) => {
                    return Ok(Err(Unusable::NotUploaded));
                }
                Err(e) => return Err(AppError::from(e)),
            };
            let total = out
                .content_range()
                .and_then(|r| r.rsplit('/').next())
                .and_then(|t| t.parse::<u64>().ok())
                .or_else(|| out.content_length().and_then(|l| u64::try_from(l).ok()))
                .unwrap_or_default();
            let mime = out.content_type().unwrap_or_default().to_owned();
            let head = out.body.collect().await.map_err(AppError::internal)?.into_bytes();
            Ok(match image::dimensions(&head) {
                Some((w, h)) => Ok(FileInfo {
                    node: node.to_owned(),
                    kind,
                    mime,
                    size: total,
                    width: Some(w),
                    height: Some(h),
                }),
                None => Err(Unusable::NotAnImage),
            })
        }
        Kind::Video => {
            let head = s3.head_object().bucket(bucket).key(&key).send().await;
            match head {
                Ok(out) => Ok(Ok(FileInfo {
                    node: node.to_owned(),
                    kind,
                    mime: out.content_type().unwrap_or_default().to_owned(),
                    size: out
                        .content_length()
                        .and_then(|l| u64::try_from(l).ok())
                        .unwrap_or_default(),
                    width: None,
                    height: None,
                })),
                Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(Err(Unusable::NotUploaded)),
                Err(e) => Err(AppError::from(e)),
            }
        }
    }
}

/// Records what S3 holds for a node. Cost: 1 UpdateItem.
#[tracing::instrument(skip_all, fields(node = %info.node))]
async fn record(store: &Store, info: &FileInfo) -> Result<(), AppError> {
    let size = i64::try_from(info.size).map_err(AppError::internal)?;
    let mut change = Change::new(k::node(&info.node))
        .set(k::attr::UPLOADED_SIZE, n(size))
        .when_exists();
    if let (Some(w), Some(h)) = (info.width, info.height) {
        change = change
            .set(k::attr::WIDTH, n(i64::from(w)))
            .set(k::attr::HEIGHT, n(i64::from(h)));
    }
    change
        .update_or(store, AppError::internal("the checked node is gone"))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_safe_in_keys_and_object_names() {
        assert!(is_node("public:2026/01/02/0190a0a0-0000-7000-8000-000000000000.png"));
        for bad in [
            "",
            "public:",
            "private:a.png",
            "public:../etc/passwd",
            "public:/abs.png",
            "public:a#b.png",
            "public:a b.png",
        ] {
            assert!(!is_node(bad), "{bad}");
        }
        assert!(!is_node(&format!("public:{}", "a".repeat(128))));
        assert_eq!(object_key("public:2026/01/02/x.png"), "storage/public/2026/01/02/x.png");
    }

    #[test]
    fn accepted_types_have_a_kind_and_extension() {
        assert_eq!(accepted_type("image/jpeg"), Some(("image/jpeg", "jpg", Kind::Image)));
        assert_eq!(accepted_type("video/mp4"), Some(("video/mp4", "mp4", Kind::Video)));
        assert_eq!(accepted_type("application/pdf"), None);
    }

    #[test]
    fn node_items_map_to_file_infos_once_uploaded() {
        let mut item = NodeItem {
            pk: "p".into(),
            sk: "s".into(),
            entity: k::entity::NODE.into(),
            node: "public:a.png".into(),
            kind: Kind::Image,
            mime: "image/png".into(),
            filename: "a.png".into(),
            size: 10,
            md5: hex(&[0xAB; 16]),
            owner: "info:7".into(),
            created_at: 1,
            uploaded_size: None,
            width: None,
            height: None,
        };
        assert_eq!(item.info(), None);
        item.uploaded_size = Some(10);
        item.width = Some(3);
        item.height = Some(4);
        let raw: crate::store::Item = serde_dynamo::to_item(&item).unwrap();
        for name in [k::attr::UPLOADED_SIZE, k::attr::WIDTH, k::attr::HEIGHT] {
            assert!(raw.contains_key(name), "{name}");
        }
        assert_eq!(item.md5, "ab".repeat(16));
        assert_eq!(item.info().unwrap().width, Some(3));
    }
}
