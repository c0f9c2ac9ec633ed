//! Local IAM: each function's DynamoDB, S3 and Management API clients refuse any call its
//! `template.yaml` policy doesn't allow, as AWS would. So a handler that needs a permission the
//! template forgot fails locally and in the tests, not after deployment; and since no policy
//! allows `Scan`, no request path can scan. S3 calls are checked against the object key (a
//! presigned URL is checked when it is signed: in AWS it carries the signer's permissions);
//! Management API calls (`PostToConnection`, `GetConnection`, `DeleteConnection`) need
//! `execute-api:ManageConnections` on the stage's `POST`/`GET`/`DELETE` `@connections/*`.

use std::sync::Arc;

use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_s3::operation::abort_multipart_upload::AbortMultipartUploadInput;
use aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadInput;
use aws_sdk_s3::operation::create_multipart_upload::CreateMultipartUploadInput;
use aws_sdk_s3::operation::delete_object::DeleteObjectInput;
use aws_sdk_s3::operation::get_object::GetObjectInput;
use aws_sdk_s3::operation::head_object::HeadObjectInput;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Input;
use aws_sdk_s3::operation::put_object::PutObjectInput;
use aws_sdk_s3::operation::upload_part::UploadPartInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::template::{Grant, Resource};

/// What a call needs: an action on the table, one of its indexes, an object of the bucket, or
/// the WebSocket API's connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub action: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Table,
    Index(String),
    Object(String),
    /// Connections of the WebSocket API's stage, by the Management API's HTTP method.
    Connections(&'static str),
}

impl std::fmt::Display for Need {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.target {
            Target::Index(i) => write!(f, "{} on index {i}", self.action),
            Target::Table => write!(f, "{} on the table", self.action),
            Target::Object(key) => write!(f, "{} on object {key}", self.action),
            Target::Connections(method) => write!(f, "{} on {method} @connections/*", self.action),
        }
    }
}

fn need(action: &str, index: Option<&str>) -> Need {
    Need {
        action: format!("dynamodb:{action}"),
        target: index.map_or(Target::Table, |i| Target::Index(i.to_owned())),
    }
}

fn object(action: &str, key: Option<&str>) -> Need {
    Need {
        action: format!("s3:{action}"),
        target: Target::Object(key.unwrap_or_default().to_owned()),
    }
}

fn connections(method: &'static str) -> Need {
    Need {
        action: "execute-api:ManageConnections".into(),
        target: Target::Connections(method),
    }
}

/// A function's policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub function: String,
    pub grants: Arc<Vec<Grant>>,
}

impl Policy {
    pub fn allows(&self, n: &Need) -> bool {
        self.grants.iter().any(|g| {
            g.actions.contains(&n.action)
                && g.resources.iter().any(|r| match (r, &n.target) {
                    (Resource::Table, Target::Table) => true,
                    (Resource::Index(i), Target::Index(want)) => i == "*" || i == want,
                    (Resource::Objects(prefix), Target::Object(key)) => key.starts_with(prefix.as_str()),
                    (Resource::Connections { method }, Target::Connections(want)) => method == "*" || method == want,
                    _ => false,
                })
        })
    }
}

/// The permissions an operation needs, from its name and input.
fn needs(op: &str, input: &aws_smithy_runtime_api::client::interceptors::context::Input) -> Vec<Need> {
    match op {
        "Query" => vec![need(
            op,
            input.downcast_ref::<QueryInput>().and_then(QueryInput::index_name),
        )],
        "Scan" => vec![need(
            op,
            input.downcast_ref::<ScanInput>().and_then(ScanInput::index_name),
        )],
        "TransactWriteItems" => input
            .downcast_ref::<TransactWriteItemsInput>()
            .map(|t| {
                t.transact_items()
                    .iter()
                    .map(|i| {
                        let action = if i.put().is_some() {
                            "PutItem"
                        } else if i.update().is_some() {
                            "UpdateItem"
                        } else if i.delete().is_some() {
                            "DeleteItem"
                        } else {
                            "ConditionCheckItem"
                        };
                        need(action, None)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        "TransactGetItems" => vec![need("GetItem", None)],
        // S3: reading an object's metadata needs s3:GetObject, as in IAM.
        "GetObject" => vec![object(
            "GetObject",
            input.downcast_ref::<GetObjectInput>().and_then(GetObjectInput::key),
        )],
        "HeadObject" => vec![object(
            "GetObject",
            input.downcast_ref::<HeadObjectInput>().and_then(HeadObjectInput::key),
        )],
        "PutObject" => vec![object(
            "PutObject",
            input.downcast_ref::<PutObjectInput>().and_then(PutObjectInput::key),
        )],
        // weifChat uploads: listing a prefix (s3:ListBucket, granted per `s3:prefix`), multipart
        // uploads (s3:PutObject, as in IAM), deletes.
        "ListObjectsV2" => vec![object(
            "ListBucket",
            input
                .downcast_ref::<ListObjectsV2Input>()
                .and_then(ListObjectsV2Input::prefix),
        )],
        "CreateMultipartUpload" => vec![object(
            "PutObject",
            input
                .downcast_ref::<CreateMultipartUploadInput>()
                .and_then(CreateMultipartUploadInput::key),
        )],
        "UploadPart" => vec![object(
            "PutObject",
            input.downcast_ref::<UploadPartInput>().and_then(UploadPartInput::key),
        )],
        "CompleteMultipartUpload" => vec![object(
            "PutObject",
            input
                .downcast_ref::<CompleteMultipartUploadInput>()
                .and_then(CompleteMultipartUploadInput::key),
        )],
        "AbortMultipartUpload" => vec![object(
            "AbortMultipartUpload",
            input
                .downcast_ref::<AbortMultipartUploadInput>()
                .and_then(AbortMultipartUploadInput::key),
        )],
        "DeleteObject" => vec![object(
            "DeleteObject",
            input
                .downcast_ref::<DeleteObjectInput>()
                .and_then(DeleteObjectInput::key),
        )],
        // The WebSocket API's Management API: IAM names the HTTP method of each operation.
        "PostToConnection" => vec![connections("POST")],
        "GetConnection" => vec![connections("GET")],
        "DeleteConnection" => vec![connections("DELETE")],
        other => vec![need(other, None)],
    }
}

impl Intercept for Policy {
    fn name(&self) -> &'static str {
        "LocalIamEmulation"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = cfg.load::<Metadata>().map(|m| m.name().to_owned()).unwrap_or_default();
        for n in needs(&op, context.input()) {
            if !self.allows(&n) {
                let msg = format!(
                    "AccessDeniedException (local IAM emulation): function {} is not allowed {n}; add it to its Policies in template.yaml",
                    self.function
                );
                tracing::error!("{msg}");
                return Err(msg.into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            function: "f".into(),
            grants: Arc::new(vec![
                Grant {
                    actions: ["dynamodb:GetItem".to_string()].into(),
                    resources: vec![Resource::Table],
                },
                Grant {
                    actions: ["dynamodb:Query".to_string()].into(),
                    resources: vec![Resource::Index("GSI1".into())],
                },
                Grant {
                    actions: ["s3:GetObject".to_string()].into(),
                    resources: vec![Resource::Objects("storage/".into())],
                },
            ]),
        }
    }

    #[test]
    fn allows_only_what_is_granted_where_it_is_granted() {
        let p = policy();
        assert!(p.allows(&need("GetItem", None)));
        assert!(p.allows(&need("Query", Some("GSI1"))));
        assert!(
            !p.allows(&need("Query", None)),
            "a grant on an index doesn't cover the table"
        );
        assert!(!p.allows(&need("Query", Some("GSI2"))));
        assert!(!p.allows(&need("Scan", None)));
    }

    #[test]
    fn object_grants_cover_their_prefix_only() {
        let p = policy();
        assert!(p.allows(&object("GetObject", Some("storage/public/a.png"))));
        assert!(!p.allows(&object("GetObject", Some("other/a.png"))));
        assert!(!p.allows(&object("PutObject", Some("storage/public/a.png"))));
        assert!(
            !p.allows(&need("GetObject", None)),
            "a bucket grant is not a table grant"
        );
    }

    #[test]
    fn uploads_need_their_s3_actions_on_their_prefixes() {
        let p = Policy {
            function: "f".into(),
            grants: Arc::new(vec![
                Grant {
                    actions: ["s3:ListBucket".to_string()].into(),
                    resources: vec![Resource::Objects("weifchat/chunks/".into())],
                },
                Grant {
                    actions: ["s3:PutObject".to_string()].into(),
                    resources: vec![Resource::Objects("weifchat/files/".into())],
                },
            ]),
        };
        assert!(p.allows(&object("ListBucket", Some("weifchat/chunks/u1/ab/"))));
        assert!(!p.allows(&object("ListBucket", Some("storage/"))));
        assert!(p.allows(&object("PutObject", Some("weifchat/files/u1/ab/a.zip"))));
        assert!(!p.allows(&object("DeleteObject", Some("weifchat/files/u1/ab/a.zip"))));
    }

    #[test]
    fn connection_grants_cover_their_method_only() {
        let p = Policy {
            function: "f".into(),
            grants: Arc::new(vec![Grant {
                actions: ["execute-api:ManageConnections".to_string()].into(),
                resources: vec![Resource::Connections { method: "POST".into() }],
            }]),
        };
        assert!(p.allows(&connections("POST")));
        assert!(!p.allows(&connections("DELETE")), "posting is not closing");
        assert!(!policy().allows(&connections("POST")), "no grant, no push");
        let all = Policy {
            function: "f".into(),
            grants: Arc::new(vec![Grant {
                actions: ["execute-api:ManageConnections".to_string()].into(),
                resources: vec![Resource::Connections { method: "*".into() }],
            }]),
        };
        assert!(all.allows(&connections("GET")));
    }
}
