//! The local stack: the table and routes of `template.yaml`, served by every function's real
//! handler against a DynamoDB API server. `make dev` runs it; the end-to-end tests embed it.

pub mod bucket;
pub mod gateway;
pub mod iam;
pub mod table;
pub mod template;

pub use gateway::Gateway;
pub use template::Template;

/// Every function of every surface, for the gateway to mount.
pub fn all_functions() -> Vec<shared::lambda::Function> {
    [
        chatx::functions(), // one line per surface
        nobase::functions(),
        weifchat::functions(),
        info::functions(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `template.yaml` at the workspace root.
pub fn template_path() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    path.canonicalize().unwrap_or(path)
}
