//! `PUT|PATCH /api/v2/info/categories/{id}`: change an info category (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(info::categories::update)).await
}
