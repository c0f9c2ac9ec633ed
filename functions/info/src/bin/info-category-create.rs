//! `POST /api/v2/infos/categories`: create an info category (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(info::categories::create)).await
}
