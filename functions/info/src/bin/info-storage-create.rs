//! `POST /api/v2/storage`: issue a storage node and its upload.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PRESIGNING], shared::handler!(info::storage::create)).await
}
