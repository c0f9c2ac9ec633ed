//! `POST /api/v2/feeds`: comment on an info (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(info::comments::create)).await
}
