//! `GET /api/v2/storage/{node+}`: download a stored file.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PRESIGNING], shared::handler!(info::storage::get)).await
}
