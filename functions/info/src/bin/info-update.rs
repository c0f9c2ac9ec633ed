//! `PATCH /api/v2/infos/{id}`: change an info (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(info::infos::update)).await
}
