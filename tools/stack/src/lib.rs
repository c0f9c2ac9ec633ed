//! The stack `template.yaml` describes, for local use: its functions, routes, policies, table,
//! bucket and WebSocket API ([`template`]), and that table and bucket created on a DynamoDB/S3 API server
//! ([`table`], [`bucket`]). The local gateway serves the functions; the operator CLI only needs
//! the table, so it depends on this crate and not on the gateway (which links every handler).

pub mod bucket;
pub mod table;
pub mod template;

pub use template::Template;

/// `template.yaml` at the workspace root.
pub fn template_path() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    path.canonicalize().unwrap_or(path)
}
